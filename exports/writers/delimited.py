"""CSV: UTF-8, one header row of labels, optionally with a byte order mark.

Excel on Windows reads a CSV as the local code page unless it starts with a UTF-8
byte order mark, which garbles every non-Latin answer; `bom=True` is for people
who open the file in a spreadsheet, and the default suits other programs.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Mapping
from typing import IO, Any

from exports.tabular import Table
from exports.writers.base import csv_text
from exports.writers.text import ClosingSink, TextTableWriter


class CsvWriter(TextTableWriter):
    format = "csv"
    file_suffix = ".csv"
    file_media_type = "text/csv; charset=utf-8"

    def __init__(self, *, bom: bool = False) -> None:
        self.bom = bom

    def open_table(self, table: Table, stream: IO[bytes]) -> ClosingSink:
        return _CsvSink(table, stream, bom=self.bom)


class _CsvSink:
    def __init__(self, table: Table, stream: IO[bytes], *, bom: bool) -> None:
        if bom:
            stream.write(codecs.BOM_UTF8)
        self._text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
        self._csv = csv.writer(self._text)
        self._keys = table.keys
        self._csv.writerow([csv_text(label) for label in table.labels])

    def row(self, values: Mapping[str, Any]) -> None:
        self._csv.writerow(map(csv_text, map(values.get, self._keys)))

    def close(self) -> None:
        """Flush and let go of the stream without closing it: it belongs to the caller."""
        self._text.flush()
        self._text.detach()
