"""The licensing authorities, as data (`config/authorities.yaml`).

Pure core apart from reading the file: `load_authorities` takes the parsed mapping
and reports every problem at once in one `AuthoritiesError`, each with its key path
and a sentence the person editing the file understands.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from forms.countries import country_codes
from workflows.registry.entities import KINDS

PACKAGED = Path(__file__).resolve().parents[2] / "config" / "authorities.yaml"
KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]{1,19}$")
ENTRY_KEYS = frozenset({"key", "name", "country", "licenses", "aliases", "notes"})


@dataclass(frozen=True)
class Authority:
    key: str
    name: str
    country: str
    licenses: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    notes: str = ""


class AuthoritiesError(ValueError):
    """Every problem of an authorities file, one sentence each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("the authorities configuration has problems:\n  "
                         + "\n  ".join(self.problems))


def read_authorities(path: str | Path | None = None) -> dict[str, Authority]:
    """Read and check the file (the packaged one by default)."""
    source = Path(path) if path else PACKAGED
    try:
        mapping = yaml.safe_load(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise AuthoritiesError([f"{source}: cannot be read as YAML: {exc}"]) from None
    return load_authorities(mapping)


def load_authorities(mapping: Any) -> dict[str, Authority]:
    """The authorities by key, in file order.

    :raise AuthoritiesError: listing every problem found.
    """
    problems: list[str] = []
    entries = mapping.get("authorities") if isinstance(mapping, Mapping) else None
    if not isinstance(entries, list) or not entries:
        raise AuthoritiesError(["authorities: must be a list with at least one authority"])
    found: dict[str, Authority] = {}
    for index, entry in enumerate(entries):
        authority = _authority(entry, f"authorities[{index}]", problems)
        if authority is None:
            continue
        same = [key for key in found if key.casefold() == authority.key.casefold()]
        if same:
            problems.append(f"authorities[{index}].key: {authority.key!r} is already the key "
                            f"of another authority ({same[0]})")
            continue
        found[authority.key] = authority
    if problems:
        raise AuthoritiesError(problems)
    return found


def find_authority(authorities: Mapping[str, Authority], key: str) -> Authority | None:
    """The authority whose key is `key`, ignoring case (people type "dofe")."""
    for authority in authorities.values():
        if authority.key.casefold() == key.strip().casefold():
            return authority
    return None


def _authority(entry: Any, path: str, problems: list[str]) -> Authority | None:
    if not isinstance(entry, Mapping):
        problems.append(f"{path}: must be a mapping with key, name, country and licenses")
        return None
    before = len(problems)
    for unknown in sorted(set(map(str, entry)) - ENTRY_KEYS):
        problems.append(f"{path}.{unknown}: unknown key (known: {', '.join(sorted(ENTRY_KEYS))})")
    key = entry.get("key")
    if not isinstance(key, str) or not KEY.match(key):
        problems.append(f"{path}.key: must be 2 to 20 letters, digits or _, starting with a "
                        f"letter (got {key!r})")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(f"{path}.name: must be the authority's name")
    country = entry.get("country")
    if not isinstance(country, str) or country not in country_codes():
        problems.append(f"{path}.country: {country!r} is not an ISO 3166-1 alpha-2 code "
                        "in capitals (such as PH or NP)")
    licenses = entry.get("licenses")
    if not isinstance(licenses, list):
        problems.append(f"{path}.licenses: must be a list of the kinds it licenses "
                        f"({', '.join(KINDS)}), empty if none")
        licenses = []
    for kind in licenses:
        if kind not in KINDS:
            problems.append(f"{path}.licenses: {kind!r} is not a kind of entity "
                            f"(known: {', '.join(KINDS)})")
    aliases = entry.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip()
                                                for a in aliases):
        problems.append(f"{path}.aliases: must be a list of names")
        aliases = []
    notes = entry.get("notes", "")
    if not isinstance(notes, str):
        problems.append(f"{path}.notes: must be text")
    if len(problems) > before:
        return None
    return Authority(key=key, name=name.strip(), country=country, licenses=tuple(licenses),
                     aliases=tuple(a.strip() for a in aliases), notes=notes.strip())
