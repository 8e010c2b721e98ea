"""The meaning checks of a merged definition, one small function per rule.

Each function reads the form through a `Context` and reports problems there; it
skips anything malformed, since the structural check has already reported it.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from forms.audience_checks import check_audience
from forms.countries import country_codes
from forms.errors import Path, ProblemCode, describe_value, did_you_mean
from forms.mwc import parse_code
from forms.reference_checks import check_dimensions, check_show_if
from forms.vocabulary import (
    CHOICE_TYPES,
    COUNT_TYPES,
    FIELD_TYPES,
    LENGTH_TYPES,
    MWC_KEY_EXCLUDED_TYPES,
    NUMBER_TYPES,
    TYPED_FIELD_KEYS,
)

if TYPE_CHECKING:
    from forms.validation import Context


def check_complete(ctx: Context) -> None:
    """A merged form needs a title, languages and sections, wherever they came from."""
    for key in ("title", "languages", "sections"):
        if key not in ctx.data:
            ctx.report(ProblemCode.MISSING_KEY, (), key=key)


def check_languages(ctx: Context) -> None:
    languages = ctx.data.get("languages")
    seen: set[str] = set()
    for i, lang in enumerate(languages if isinstance(languages, list) else []):
        if not isinstance(lang, str):
            continue
        if lang in seen:
            ctx.report(ProblemCode.DUPLICATE_LANGUAGE, ("languages", i), language=lang)
        seen.add(lang)


def check_ids(ctx: Context) -> None:
    """Fields and sections share one namespace (override and remove name either)."""
    items = [(p, s, "section id") for p, s in ctx.sections()]
    items += [(p, f, "field id") for p, f in ctx.fields()]
    _report_duplicates(ctx, [(p, i.get("id"), kind) for p, i, kind in items])
    _report_duplicates(ctx, [(p, t.get("id"), "term id") for p, t in ctx.terms()])
    for path, field in ctx.fields():
        _report_duplicates(
            ctx, [(p, c.get("value"), "choice value") for p, c in ctx.choices(field, path)],
            key="value",
        )


def _report_duplicates(ctx: Context, items: list[tuple[Path, Any, str]], key: str = "id") -> None:
    first: dict[Any, Path] = {}
    for path, item_id, kind in items:
        if not isinstance(item_id, str):
            continue
        if item_id in first:
            ctx.report(ProblemCode.DUPLICATE_ID, (*path, key), kind=kind, id=item_id,
                       first=ctx.where((*first[item_id], key)))
        else:
            first[item_id] = path


def check_field_keys(ctx: Context) -> None:
    """Keys that only some types understand, and choices that a choice field needs."""
    for path, field in ctx.fields():
        ftype = field.get("type")
        if ftype not in FIELD_TYPES:
            continue
        for key, types in TYPED_FIELD_KEYS.items():
            if key in field and ftype not in types:
                ctx.report(ProblemCode.KEY_NOT_FOR_TYPE, (*path, key), key=key, type=ftype,
                           allowed=", ".join(t for t in FIELD_TYPES if t in types))
        if "mwc" in field and ftype in MWC_KEY_EXCLUDED_TYPES:
            allowed = ", ".join(t for t in FIELD_TYPES if t not in MWC_KEY_EXCLUDED_TYPES)
            ctx.report(ProblemCode.KEY_NOT_FOR_TYPE, (*path, "mwc"), key="mwc", type=ftype,
                       allowed=allowed)
        if ftype in CHOICE_TYPES and "choices" not in field:
            ctx.report(ProblemCode.MISSING_KEY, path, key="choices")
        default = field.get("default")
        if ftype == "country" and isinstance(default, str) and default not in country_codes():
            ctx.report(ProblemCode.WRONG_VALUE, (*path, "default"),
                       value=describe_value(default), expected="the code of a country")


def check_bounds(ctx: Context) -> None:
    """min and max must suit the type (number, length, count or date) and be in order."""
    for path, field in ctx.fields():
        ftype = field.get("type")
        bounds = {}
        for key in ("min", "max"):
            if key in field and ftype in TYPED_FIELD_KEYS[key]:
                parsed, expected = _bound(ftype, field[key])
                if parsed is None:
                    ctx.report(ProblemCode.WRONG_VALUE, (*path, key),
                               value=describe_value(field[key]), expected=expected)
                else:
                    bounds[key] = parsed
        if len(bounds) == 2 and bounds["min"] > bounds["max"]:
            ctx.report(ProblemCode.MIN_ABOVE_MAX, (*path, "min"),
                       min=field["min"], max=field["max"])


def _bound(ftype: str, value: Any) -> tuple[Any, str]:
    if isinstance(value, bool):
        return None, "a number"
    if ftype in NUMBER_TYPES:
        return (value if isinstance(value, (int, float)) else None), "a number"
    if ftype in LENGTH_TYPES or ftype in COUNT_TYPES:
        ok = isinstance(value, int) and value >= 0
        return (value if ok else None), "a whole number, 0 or more"
    try:
        return datetime.date.fromisoformat(str(value)), "a date written as YYYY-MM-DD"
    except ValueError:
        return None, "a date written as YYYY-MM-DD"


def check_patterns(ctx: Context) -> None:
    for path, field in ctx.fields():
        pattern = field.get("pattern")
        if isinstance(pattern, str):
            try:
                re.compile(pattern)
            except re.error as exc:
                ctx.report(ProblemCode.INVALID_PATTERN, (*path, "pattern"),
                           pattern=pattern, detail=str(exc))


def check_translations(ctx: Context) -> None:
    """Every text needs every language the merged form lists.

    A text written in the form's own file is reported where it is. The texts it
    inherits are counted instead, one problem per language: the member cannot edit
    the parent's file, and the fix for all of them is one translation sheet.
    """
    languages = ctx.languages()
    inherited: dict[str, int] = {}
    for path, text in _texts(ctx):
        missing = [lang for lang in languages if not text.get(lang)]
        if not missing:
            continue
        if ctx.merged.locate(path).origin != ctx.merged.origin:
            for lang in missing:
                inherited[lang] = inherited.get(lang, 0) + 1
            continue
        ctx.report(ProblemCode.MISSING_TRANSLATION, path, missing=", ".join(missing),
                   languages=", ".join(languages))
    for lang, count in inherited.items():
        ctx.report(ProblemCode.MISSING_INHERITED_TRANSLATIONS,
                   ("languages", ctx.data["languages"].index(lang)), count=count, language=lang,
                   form=ctx.data.get("form") or "<form id>")


def _texts(ctx: Context) -> Iterator[tuple[Path, dict[str, Any]]]:
    def pick(item: dict[str, Any], path: Path, keys: tuple[str, ...]) -> Iterator[Any]:
        for key in keys:
            if isinstance(item.get(key), dict):
                yield (*path, key), item[key]

    yield from pick(ctx.data, (), ("title", "description"))
    for path, term in ctx.terms():
        yield from pick(term, path, ("label", "help"))
    for path, section in ctx.sections():
        yield from pick(section, path, ("title", "help"))
    for path, field in ctx.fields():
        yield from pick(field, path, ("label", "help"))
        for choice_path, choice in ctx.choices(field, path):
            yield from pick(choice, choice_path, ("label",))


def check_mwc(ctx: Context) -> None:
    """Codes may be 21 or "MWC-21", and must be articles of the taxonomy."""
    holders = [(p, t) for p, t in ctx.terms()] + [(p, f) for p, f in ctx.fields()]
    holders += [item for p, f in ctx.fields() for item in ctx.choices(f, p)]
    for path, holder in holders:
        codes = holder.get("mwc")
        if not isinstance(codes, list):
            continue
        for i, value in enumerate(codes):
            if parse_code(value) not in ctx.taxonomy:
                ctx.report(ProblemCode.UNKNOWN_MWC, (*path, "mwc", i),
                           value=describe_value(value), ranges=ctx.taxonomy.ranges())


def check_terms(ctx: Context) -> None:
    known = ctx.term_ids()
    for path, field in ctx.fields():
        names = field.get("terms")
        names = names if isinstance(names, list) else []
        refs = [((*path, "terms", i), name) for i, name in enumerate(names)]
        refs += [((*p, "term"), c["term"]) for p, c in ctx.choices(field, path) if "term" in c]
        for ref_path, name in refs:
            if isinstance(name, str) and name not in known:
                ctx.report(ProblemCode.UNKNOWN_TERM, ref_path, term=name,
                           hint=did_you_mean(name, known))


def check_consent(ctx: Context) -> None:
    asked: dict[str, str] = {}
    for path, field in ctx.fields():
        purpose = field.get("consent")
        if isinstance(purpose, str) and purpose in asked:
            ctx.report(ProblemCode.CONSENT_TWICE, (*path, "consent"), purpose=purpose,
                       other=asked[purpose])
        elif isinstance(purpose, str):
            asked[purpose] = str(field.get("id"))


def check_gender(ctx: Context) -> None:
    """Gender is collected on every country form, so indicators can be split by it."""
    if "country" not in ctx.data:
        return
    if not any(field.get("dimension") == "gender" for _, field in ctx.fields()):
        ctx.report(ProblemCode.GENDER_MISSING, ("country",))


SEMANTIC_CHECKS: tuple[Callable[[Context], None], ...] = (
    check_complete,
    check_languages,
    check_ids,
    check_field_keys,
    check_bounds,
    check_patterns,
    check_show_if,
    check_translations,
    check_mwc,
    check_terms,
    check_dimensions,
    check_consent,
    check_gender,
    check_audience,
)
