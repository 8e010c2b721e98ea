"""The form definitions shipped with the package (``forms/definitions/*.yaml``)."""

from __future__ import annotations

from importlib import resources

from forms.loader import ParsedSource, parse_definition

_PACKAGE = "forms"
_FOLDER = "definitions"


def shipped_sources() -> dict[str, ParsedSource]:
    """Parse every shipped definition, keyed by its form id.

    A file without a readable ``form:`` id is keyed by its file name, so its
    problems still reach whoever compiles it.
    """
    folder = resources.files(_PACKAGE).joinpath(_FOLDER)
    if not folder.is_dir():
        return {}
    sources: dict[str, ParsedSource] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith((".yaml", ".yml")):
            continue
        origin = f"{_PACKAGE}/{_FOLDER}/{entry.name}"
        parsed = parse_definition(entry.read_text(encoding="utf-8"), origin)
        sources[parsed.form_id or entry.name.rsplit(".", 1)[0]] = parsed
    return sources
