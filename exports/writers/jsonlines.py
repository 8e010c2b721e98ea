"""JSON Lines: one JSON object per row, keys in column order, values exact.

Meant for programs, not spreadsheets, so values are written as they are (no
formula neutralising) and a table without rows is an empty file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import IO, Any

from exports.tabular import Table
from exports.writers.base import plain
from exports.writers.text import ClosingSink, TextTableWriter

#: Types `plain` returns unchanged: a row holding only these skips it.
_AS_THEY_ARE = frozenset({str, int, float, bool, type(None)})


class JsonLinesWriter(TextTableWriter):
    format = "jsonl"
    file_suffix = ".jsonl"
    file_media_type = "application/jsonl; charset=utf-8"

    def open_table(self, table: Table, stream: IO[bytes]) -> ClosingSink:
        return _JsonLinesSink(table, stream)


class _JsonLinesSink:
    def __init__(self, table: Table, stream: IO[bytes]) -> None:
        self._stream = stream
        self._keys = table.keys

    def row(self, values: Mapping[str, Any]) -> None:
        cells = list(map(values.get, self._keys))
        if not _AS_THEY_ARE.issuperset(map(type, cells)):
            cells = list(map(plain, cells))
        record = dict(zip(self._keys, cells, strict=True))
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
        self._stream.write(line.encode("utf-8") + b"\n")

    def close(self) -> None:
        self._stream.flush()
