"""Writers of one text file per table (CSV, JSON Lines), zipped when there are several.

A file of this kind holds one table. With one table the rows stream straight into
the output; with several (cases and violations) the output is a ZIP archive with
one file per table and a ``notes.txt``. Rows still come in one pass: the first
table streams into its archive entry while the others are spooled to temporary
files (memory up to a small limit, then disk) and copied in at the end.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from contextlib import ExitStack
from typing import IO, ClassVar, Protocol

from exports.tabular import Table, TaggedRow
from exports.writers.base import (
    Notes,
    Sink,
    WriteResult,
    collect_notes,
    stream_rows,
    table_index,
)

#: Bytes a spooled table keeps in memory before it moves to a temporary file.
SPOOL_LIMIT = 1024 * 1024
ZIP_MEDIA_TYPE = "application/zip"


class ClosingSink(Sink, Protocol):
    """A table's sink that must be closed once its rows are written."""

    def close(self) -> None: ...


class TextTableWriter:
    """Base of the one-file-per-table writers; subclasses say how to open a table."""

    format: ClassVar[str]
    file_suffix: ClassVar[str]
    file_media_type: ClassVar[str]

    def media_type(self, tables: Sequence[Table]) -> str:
        return self.file_media_type if len(tables) == 1 else ZIP_MEDIA_TYPE

    def suffix(self, tables: Sequence[Table]) -> str:
        return self.file_suffix if len(tables) == 1 else ".zip"

    def open_table(self, table: Table, stream: IO[bytes]) -> ClosingSink:
        raise NotImplementedError

    def extra_files(self, written: WriteResult) -> Mapping[str, str]:
        """Further text files of an archive, by name, made once the rows are written
        (a documentation export's README); none by default."""
        return {}

    def write(self, rows: Iterable[TaggedRow], headers: Sequence[Table], out: IO[bytes], *,
              notes: Notes | None = None) -> WriteResult:
        """Write one table as a plain file, several as a ZIP archive.

        With one table the notes cannot go into the file; they are returned in the
        result for the caller to show beside the download.
        """
        table_index(headers)
        if len(headers) == 1:
            return self._write_file(rows, headers[0], out, notes)
        return self._write_archive(rows, headers, out, notes)

    def _write_file(self, rows: Iterable[TaggedRow], table: Table, out: IO[bytes],
                    notes: Notes | None) -> WriteResult:
        sink = self.open_table(table, out)
        try:
            counts = stream_rows(rows, {table.name: sink})
        finally:
            sink.close()
        return WriteResult(counts, collect_notes(notes))

    def _write_archive(self, rows: Iterable[TaggedRow], headers: Sequence[Table],
                       out: IO[bytes], notes: Notes | None) -> WriteResult:
        first, rest = headers[0], headers[1:]
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            with ExitStack() as stack:
                entry = stack.enter_context(self._entry(archive, first))
                spools = {t.name: stack.enter_context(tempfile.SpooledTemporaryFile(SPOOL_LIMIT))
                          for t in rest}
                sinks = {first.name: self.open_table(first, entry)}
                sinks.update((t.name, self.open_table(t, spools[t.name])) for t in rest)
                try:
                    counts = stream_rows(rows, sinks)
                finally:
                    for sink in sinks.values():
                        sink.close()
                entry.close()
                for table in rest:
                    spools[table.name].seek(0)
                    with self._entry(archive, table) as copy:
                        shutil.copyfileobj(spools[table.name], copy)
            written = collect_notes(notes)
            archive.writestr("notes.txt", "".join(f"{line}\n" for line in written))
            result = WriteResult(counts, written)
            for name, text in self.extra_files(result).items():
                archive.writestr(name, text)
        return result

    def _entry(self, archive: zipfile.ZipFile, table: Table) -> IO[bytes]:
        return archive.open(table.name + self.file_suffix, "w", force_zip64=True)

