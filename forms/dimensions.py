"""The standard dimensions that indicators and exports read from every case.

A form names a dimension on the one field that fills it; the values of a choice
dimension are fixed here so counts from different countries can be added up.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from forms.loader import load_yaml


@dataclass(frozen=True)
class Dimension:
    """One dimension; `values` is None for free, country and date dimensions."""

    id: str
    kind: str
    values: tuple[str, ...] | None = None
    title: Mapping[str, str] = field(default_factory=dict, hash=False)
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict, hash=False)

    def allows(self, value: Any) -> bool:
        return self.values is None or value in self.values


class Dimensions:
    """The dimensions by id, in the order the data file lists them."""

    def __init__(self, dimensions: Iterable[Dimension]) -> None:
        self._by_id = {d.id: d for d in dimensions}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Dimensions:
        """Build from the plain shape of ``dimensions.yaml`` (``dimensions: [...]``)."""
        return cls(
            Dimension(
                id=str(item["id"]),
                kind=str(item.get("kind", "choice")),
                values=tuple(str(v) for v in item["values"]) if item.get("values") else None,
                title=dict(item.get("title") or {}),
                labels={str(k): dict(v) for k, v in (item.get("labels") or {}).items()},
            )
            for item in data.get("dimensions", [])
        )

    def __contains__(self, dimension_id: object) -> bool:
        return dimension_id in self._by_id

    def __iter__(self) -> Iterator[Dimension]:
        return iter(self._by_id.values())

    def ids(self) -> tuple[str, ...]:
        return tuple(self._by_id)

    def get(self, dimension_id: str) -> Dimension:
        """Return the dimension, raising KeyError for an unknown id."""
        return self._by_id[dimension_id]


@functools.cache
def load_dimensions() -> Dimensions:
    """Read the packaged ``forms/taxonomy/dimensions.yaml`` once per process."""
    resource = resources.files("forms").joinpath("taxonomy", "dimensions.yaml")
    data = load_yaml(resource.read_text(encoding="utf-8"), "forms/taxonomy/dimensions.yaml")
    return Dimensions.from_data(data)
