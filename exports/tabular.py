"""The shape every export table shares: named columns and rows keyed by column.

Kept apart from the writers and from the column derivation so each can be read,
tested and replaced alone: the writers know only this shape, never a case.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: One row of one table: the table's name and the values by column key.
#: Values are plain JSON scalars (str, int, float, bool, None).
TaggedRow = tuple[str, Mapping[str, Any]]


@dataclass(frozen=True)
class Column:
    """A column: a stable key (what code reads) and a label (what people read)."""

    key: str
    label: str


@dataclass(frozen=True)
class Table:
    """A table's name (sheet, file or JSON Lines part) and its columns in order."""

    name: str
    columns: tuple[Column, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(c.label for c in self.columns)
