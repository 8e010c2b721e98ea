"""Hold an export's rows while its columns are not known yet: memory first, then disk.

An export's columns are the union of the questions and terms of the forms its cases
were filed on. Asking the database for those forms first costs a second full read
of the cases on a server that decodes every document it looks at (FerretDB), about
as long as the export's own read. Instead the export reads the cases once: each
case's cells are made from its own form (`columns.case_cells`, which do not depend
on the other forms) and put here, and its form is noted; after the last case the
columns are known and the rows are read back from here, in the same order, into the
writer.

Cells are pickled in batches into a `tempfile.SpooledTemporaryFile`: memory stays
bounded by one batch and `SPOOL_LIMIT`, whatever the number of cases; past the limit
the rows live in an unnamed temporary file, deleted when the spool closes. What is
spooled is what the export file itself will hold (redacted rows), nothing more.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, Self

from exports.columns import ExportLayout, violation_cells
from exports.tabular import TaggedRow

#: Bytes kept in memory before the spool moves to a temporary file.
SPOOL_LIMIT = 1024 * 1024
#: Cases pickled together: one pickle per batch shares the column names between rows.
BATCH = 64


class CaseSpool:
    """Each kept case's "cases" cells and countable articles, in the order added."""

    def __init__(self, limit: int = SPOOL_LIMIT, batch: int = BATCH) -> None:
        # closed by close() / the with block, like the writers' spools
        self._file = tempfile.SpooledTemporaryFile(max_size=limit)  # noqa: SIM115
        self._batch: list[tuple[Mapping[str, Any], Sequence[int]]] = []
        self._size = batch
        self.cases = 0

    def add(self, cells: Mapping[str, Any], articles: Sequence[int]) -> None:
        self._batch.append((cells, articles))
        self.cases += 1
        if len(self._batch) >= self._size:
            self._flush()

    def _flush(self) -> None:
        if self._batch:
            pickle.dump(self._batch, self._file, protocol=pickle.HIGHEST_PROTOCOL)
            self._batch = []

    def rows(self, layout: ExportLayout) -> Iterator[TaggedRow]:
        """The tagged rows of every case added, then the codebook's, as
        `columns.export_rows` gives them."""
        self._flush()
        self._file.seek(0)
        while True:
            try:
                batch = pickle.load(self._file)  # our own spool, never outside input
            except EOFError:
                break
            for cells, articles in batch:
                yield "cases", cells
                for row in violation_cells(cells, articles, layout):
                    yield "violations", row
        yield from layout.codebook_rows()

    def close(self) -> None:
        self._batch = []
        self._file.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
