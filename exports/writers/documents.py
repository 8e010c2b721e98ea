"""Writers of the documentation-format export (`exports.huridocs`): JSON and CSV.

- ``huridocs-json``: one JSON document, ``{"metadata": {...}, "events": [...], "acts":
  [...], "victims": [...], "perpetrators": [...], "relations": [...]}``. The metadata
  (the caution, the redaction level, who was left out and why) is known only after
  the last case, so each list is spooled (memory up to a limit, then a temporary
  file) and the document is put together at the end: memory stays flat.
- ``huridocs-csv``: a ZIP with ``events.csv``, ``acts.csv``, ``victims.csv``,
  ``perpetrators.csv``, ``relations.csv``, ``notes.txt`` and a ``README.txt`` holding
  the same metadata in words, so a file passed on still carries the caution.

Not registered with `get_writer`: they write the five documentation tables only, and
`exports.huridocs_export` makes them with the metadata they need.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import ExitStack
from typing import IO, Any

from exports.tabular import Table, TaggedRow
from exports.writers.base import Notes, WriteResult, collect_notes, plain, stream_rows, table_index
from exports.writers.delimited import CsvWriter
from exports.writers.text import SPOOL_LIMIT

#: The metadata of a file, asked for after the rows with what was written.
Metadata = Callable[[WriteResult], Mapping[str, Any]]
JSON_MEDIA_TYPE = "application/json; charset=utf-8"


class JsonDocumentWriter:
    format = "huridocs-json"

    def __init__(self, *, metadata: Metadata) -> None:
        self.metadata = metadata

    def media_type(self, tables: Sequence[Table]) -> str:
        return JSON_MEDIA_TYPE

    def suffix(self, tables: Sequence[Table]) -> str:
        return ".json"

    def write(self, rows: Iterable[TaggedRow], headers: Sequence[Table], out: IO[bytes], *,
              notes: Notes | None = None) -> WriteResult:
        table_index(headers)
        with ExitStack() as stack:
            spools = {t.name: stack.enter_context(tempfile.SpooledTemporaryFile(SPOOL_LIMIT))
                      for t in headers}
            sinks = {t.name: _JsonListSink(t, spools[t.name]) for t in headers}
            counts = stream_rows(rows, sinks)
            result = WriteResult(counts, collect_notes(notes))
            meta = json.dumps(dict(self.metadata(result)), ensure_ascii=False, indent=1,
                              default=plain)
            out.write(b'{"metadata": ' + meta.encode("utf-8"))
            for table in headers:
                out.write(f',\n"{table.name}": ['.encode())
                spools[table.name].seek(0)
                shutil.copyfileobj(spools[table.name], out)
                out.write(b"\n]")
            out.write(b"}\n")
        return result


class _JsonListSink:
    """The rows of one table as the items of a JSON list, keys in column order."""

    def __init__(self, table: Table, stream: IO[bytes]) -> None:
        self._stream = stream
        self._keys = table.keys
        self._first = True

    def row(self, values: Mapping[str, Any]) -> None:
        record = {key: plain(values.get(key)) for key in self._keys}
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
        self._stream.write((b"\n" if self._first else b",\n") + line.encode("utf-8"))
        self._first = False


class DocumentationCsvWriter(CsvWriter):
    """The CSV ZIP of the five tables, with a README.txt made from the metadata."""

    format = "huridocs-csv"

    def __init__(self, *, metadata: Metadata, bom: bool = False) -> None:
        super().__init__(bom=bom)
        self.metadata = metadata

    def media_type(self, tables: Sequence[Table]) -> str:
        return "application/zip"

    def suffix(self, tables: Sequence[Table]) -> str:
        return ".zip"

    def write(self, rows: Iterable[TaggedRow], headers: Sequence[Table], out: IO[bytes], *,
              notes: Notes | None = None) -> WriteResult:
        table_index(headers)
        return self._write_archive(rows, headers, out, notes)  # always a ZIP, even if one

    def extra_files(self, written: WriteResult) -> Mapping[str, str]:
        return {"README.txt": readme(self.metadata(written))}


def readme(metadata: Mapping[str, Any]) -> str:
    """The metadata in words: the caution first, then what the file holds."""
    lines = [str(metadata.get("caution", "")), "", str(metadata.get("layout", "")), ""]
    for key, value in metadata.items():
        if key in ("caution", "layout"):
            continue
        if isinstance(value, Mapping):
            value = "; ".join(f"{k}: {v}" for k, v in value.items() if v not in (None, [], ""))
        elif isinstance(value, list):
            value = "; ".join(str(v) for v in value)
        lines.append(f"{key.replace('_', ' ').capitalize()}: {value}")
    return "\n".join(lines) + "\n"
