"""The MWC rights taxonomy: articles of the Migrant Workers Convention cited by cases.

`mwc:` codes on terms, choices and fields are how cases written in different
local terms become comparable, so every code is checked against this list.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from forms.loader import load_yaml

_CODE = re.compile(r"^\s*(?:MWC[-\s]?)?(\d{1,3})\s*$", re.IGNORECASE)
DEFAULT_LANGUAGE = "en"


def code(number: int) -> str:
    """Write an article number as its stable code, e.g. 21 -> "MWC-21"."""
    return f"MWC-{int(number)}"


def parse_code(value: Any) -> int | None:
    """Read 21, "21" or "MWC-21" as 21; anything else gives None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        match = _CODE.match(value)
        if match:
            return int(match.group(1))
    return None


@dataclass(frozen=True)
class Article:
    """One article: its number, Part, and whether it needs documented status."""

    number: int
    part: str
    documented_only: bool
    violation_code: bool
    title: Mapping[str, str] = field(default_factory=dict, hash=False)


class Taxonomy:
    """The articles by number, with titles in the supported languages."""

    def __init__(self, articles: Iterable[Article]) -> None:
        self._articles = {a.number: a for a in sorted(articles, key=lambda a: a.number)}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Taxonomy:
        """Build from the plain shape of ``mwc.yaml`` (``articles: [...]``)."""
        return cls(
            Article(
                number=int(item["number"]),
                part=str(item.get("part", "")),
                documented_only=bool(item.get("documented_only", False)),
                violation_code=bool(item.get("violation_code", True)),
                title=dict(item.get("title") or {}),
            )
            for item in data.get("articles", [])
        )

    def __contains__(self, number: object) -> bool:
        return number in self._articles

    def __len__(self) -> int:
        return len(self._articles)

    def numbers(self) -> tuple[int, ...]:
        return tuple(self._articles)

    def article(self, number: int) -> Article:
        """Return the article, raising KeyError for a number not in the taxonomy."""
        return self._articles[number]

    def title(self, number: int, lang: str = DEFAULT_LANGUAGE) -> str:
        """The article's short title in `lang`, falling back to English, then the code."""
        titles = self._articles[number].title
        return titles.get(lang) or titles.get(DEFAULT_LANGUAGE) or code(number)

    def violation_codes(self) -> tuple[int, ...]:
        """Numbers a case may cite as violated (not the context-only articles)."""
        return tuple(n for n, a in self._articles.items() if a.violation_code)

    def ranges(self) -> str:
        """Describe the numbers compactly for messages: "1, 5, 7, 8-35, 36-56"."""
        return describe_ranges(self._articles)


def describe_ranges(numbers: Iterable[int]) -> str:
    """Collapse consecutive numbers into ranges."""
    runs: list[list[int]] = []
    for n in sorted(numbers):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)


@functools.cache
def load_taxonomy() -> Taxonomy:
    """Read the packaged ``forms/taxonomy/mwc.yaml`` once per process."""
    resource = resources.files("forms").joinpath("taxonomy", "mwc.yaml")
    data = load_yaml(resource.read_text(encoding="utf-8"), "forms/taxonomy/mwc.yaml")
    return Taxonomy.from_data(data)
