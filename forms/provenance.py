"""Remember where each piece of a merged form was written.

Inheritance copies items out of several files; a problem found later must still
point at the file and line a national member can open. Every container copied
into the merged form is marked with its origin and key path there, and keys set
by an ``override`` are marked with the override's own place in the child file.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from forms.errors import Path, PathStep
from forms.loader import ParsedSource


@dataclass(frozen=True)
class Location:
    """Where something was written: file, key path in that file, and line."""

    origin: str
    path: Path
    line: int | None


class Provenance:
    """Marks on the containers of a merged form, looked up by object identity."""

    def __init__(self, sources: Mapping[str, ParsedSource]) -> None:
        self._sources = dict(sources)
        # The object is kept alongside its mark so its id cannot be reused.
        self._nodes: dict[int, tuple[Any, str, Path]] = {}
        self._keys: dict[tuple[int, PathStep], tuple[str, Path]] = {}

    def adopt(self, value: Any, origin: str, path: Path) -> Any:
        """Deep-copy `value` written at `path` in `origin`, marking every container."""
        if isinstance(value, dict):
            copy: Any = {k: self.adopt(v, origin, (*path, k)) for k, v in value.items()}
        elif isinstance(value, list):
            copy = [self.adopt(v, origin, (*path, i)) for i, v in enumerate(value)]
        else:
            return value
        self.mark(copy, origin, path)
        return copy

    def mark(self, container: Any, origin: str, path: Path) -> None:
        self._nodes[id(container)] = (container, origin, path)

    def mark_key(self, container: Any, key: PathStep, origin: str, path: Path) -> None:
        """Record that `container[key]` was set from `path` in `origin`."""
        self._keys[(id(container), key)] = (origin, path)

    def locate(self, root: Any, path: Path, default_origin: str) -> Location:
        """Find the file, source path and line for `path` in the merged `root`."""
        origin, rest = default_origin, path
        base: Path = ()
        node = self._nodes.get(id(root))
        if node is not None:
            origin, base = node[1], node[2]
        current = root
        for i, step in enumerate(path):
            key_mark = self._keys.get((id(current), step))
            if key_mark is not None:
                origin, base, rest = key_mark[0], key_mark[1], path[i + 1 :]
            current = _step(current, step)
            if current is None:
                break
            node = self._nodes.get(id(current))
            if node is not None:
                origin, base, rest = node[1], node[2], path[i + 1 :]
        source_path = (*base, *rest)
        source = self._sources.get(origin)
        line = source.line_for(source_path) if source is not None else None
        return Location(origin, source_path, line)


def _step(container: Any, step: PathStep) -> Any:
    if isinstance(container, dict) and not isinstance(step, int):
        return container.get(step)
    if isinstance(container, list) and isinstance(step, int) and 0 <= step < len(container):
        return container[step]
    return None


class MergedForm(Mapping[str, Any]):
    """A merged definition: read it like a mapping, ask it where a path was written."""

    def __init__(
        self, data: dict[str, Any], origin: str, provenance: Provenance | None = None
    ) -> None:
        self.data = data
        self.origin = origin
        self._provenance = provenance

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def locate(self, path: Path) -> Location:
        if self._provenance is None:
            return Location(self.origin, tuple(path), None)
        return self._provenance.locate(self.data, tuple(path), self.origin)
