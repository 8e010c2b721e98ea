"""Interface catalogues: every message on the reporter's path is translated in every
language we offer, placeholders survive translation, and the committed .mo files are
the compiled .po files (so nobody has to remember a compile step)."""

from __future__ import annotations

import io
import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from tests.intake_helpers import every_step, forms_published, post_report  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "app" / "translations"

#: UI language -> catalogue folder (Babel reads `tl` as Filipino, `fil`).
CATALOGS = {"ms": "ms", "zh-Hans": "zh_Hans", "zh-Hant": "zh_Hant", "tl": "fil", "ko": "ko",
            "ar": "ar", "id": "id", "bn": "bn", "ne": "ne", "my": "my", "vi": "vi"}

#: Files whose messages a reporter can meet: layout, home, sign-in, errors, intake, status.
PUBLIC_SOURCES = (
    "app/templates/base.html", "app/templates/main/index.html", "app/templates/auth/login.html",
    "app/templates/errors/error.html", "app/templates/intake/", "app/errors.py",
    "app/auth.py", "app/navigation.py", "app/public/", "forms/answer_rules.py",
    "forms/wtf/fields.py",
)


@cache
def public_messages() -> dict[str | tuple[str, ...], set[str]]:
    """msgid -> the public files using it, extracted as `pybabel extract` would."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict = {}
    for package in ("app", "forms"):
        for filename, _line, message, _comments, _context in extract_from_dir(
                ROOT / package, method_map, options_map):
            path = f"{package}/{filename}"
            if path.startswith(PUBLIC_SOURCES):
                key = message if isinstance(message, str) else tuple(message)
                found.setdefault(key, set()).add(path)
    return found


def _catalog(folder: str):
    with open(TRANSLATIONS / folder / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=folder)


def test_public_path__has_messages():
    messages = public_messages()
    assert "Leave this page quickly" in messages and "Send the report" in messages
    assert "This question needs an answer." in messages


@pytest.mark.parametrize("folder", sorted(set(CATALOGS.values())))
def test_catalog__every_public_message_translated(folder):
    catalog = _catalog(folder)
    missing = []
    for msgid, files in public_messages().items():
        key = msgid[0] if isinstance(msgid, tuple) else msgid
        entry = catalog.get(key)
        strings = [] if entry is None else (
            list(entry.string) if isinstance(entry.string, (list, tuple)) else [entry.string])
        if entry is None or entry.fuzzy or not strings or not all(strings):
            missing.append((key, min(files)))
    assert missing == []


@pytest.mark.parametrize("folder", sorted(set(CATALOGS.values())))
def test_catalog__placeholders_kept(folder):
    catalog = _catalog(folder)
    problems = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(re.findall(r"%\(\w+\)[sd]", ids[-1]))
        for string in strings:
            if string and set(re.findall(r"%\(\w+\)[sd]", string)) - wanted:
                problems.append((message.id, string))
            lost = wanted - set(re.findall(r"%\(\w+\)[sd]", string or ""))
            if string and lost and len(ids) == 1:
                problems.append((message.id, string))
    assert problems == []


@pytest.mark.parametrize("folder", sorted(set(CATALOGS.values())))
def test_catalog__committed_mo_is_the_compiled_po(folder):
    compiled = io.BytesIO()
    write_mo(compiled, _catalog(folder))
    compiled.seek(0)
    with open(TRANSLATIONS / folder / "LC_MESSAGES" / "messages.mo", "rb") as committed:
        current = read_mo(committed)
    expected = read_mo(compiled)
    assert _messages(current) == _messages(expected), \
        "run: pybabel compile -d app/translations"


def _messages(catalog) -> dict:
    plain = lambda value: tuple(value) if isinstance(value, (list, tuple)) else value
    return {plain(m.id): plain(m.string) for m in catalog if m.id}


@pytest.mark.usefixtures("forms_published")
@pytest.mark.parametrize(("tag", "form_id"), [
    ("ms", "my-intake"), ("zh-Hans", "sg-intake"), ("zh-Hant", "hk-intake"),
    ("tl", "ph-intake"), ("ko", "kr-intake"), ("ar", "sa-intake"), ("id", "id-intake"),
    ("bn", "bd-intake"), ("ne", "np-intake"), ("my", "mm-intake"), ("vi", "vn-intake"),
])
def test_public_path__questionnaire_chrome_and_errors_in_the_form_language(client, tag,
                                                                          form_id):
    catalog = _catalog(CATALOGS[tag])
    page = every_step(client, form_id, tag)
    for msgid in ("Leave this page quickly", "Send the report", "Report a violation",
                  "Migrants' Rights Violations Reporting System"):
        assert catalog.get(msgid).string in page.replace("&#39;", "'"), msgid
    refused = post_report(client, form_id, tag, data={"narrative": ""})
    assert refused.status_code == 400
    assert catalog.get("This question needs an answer.").string in refused.get_data(
        as_text=True)
    assert catalog.get("Your report was not sent yet. Please correct the marked answers."
                       ).string in refused.get_data(as_text=True)
