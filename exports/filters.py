"""Which cases an export, an indicator table or a report covers.

A filter is built from untrusted input (query strings, the command line) and turned
into a MongoDB `$match` document. Every value is checked against a strict pattern
and only ever lands as a plain value inside an operator we chose, so input such as
``country[$ne]=x`` is refused rather than passed on as an operator. Role scoping
(a mission's countries, a member's organisation) is not part of the filter; the
caller combines both with ``{"$and": [scope, filter.match()]}``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from forms.vocabulary import FORM_ID_PATTERN
from workflows.case_facts import overlapping, period_bounds
from workflows.routing import TEAM_KEY

COUNTRY = re.compile(r"^[A-Z]{2}$")
STAGE = re.compile(r"^[a-z][a-z_]{0,39}$")
FORM_ID = re.compile(FORM_ID_PATTERN)
FORM_REF = re.compile(r"^(?P<id>[a-z0-9-]+)(?::(?P<version>[1-9]\d{0,5}))?$")

#: Query parameter -> filter attribute, for `parse_filter`.
PARAMETERS = {"country": "countries", "destination": "destinations", "origin": "origins",
              "team": "teams", "form": "forms", "stage": "stages", "from": "filed_from",
              "to": "filed_to", "event_from": "event_from", "event_to": "event_to"}

FormRef = tuple[str, int | None]


class FilterError(ValueError):
    """Every problem found in a filter, in words a user can act on."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class ExportFilter:
    """Cases by handling country and team, destination, origin, form version, stage,
    filing day and event period.

    `forms` holds (form id, version) pairs, the version None meaning every version;
    `filed_from` and `filed_to` are UTC days, both included. `event_from` and `event_to`
    select the cases whose event period (`workflows.case_facts`) overlaps those days:
    "2005" finds "around March 2005" and "14 June 2005" alike.
    """

    countries: tuple[str, ...] = ()
    destinations: tuple[str, ...] = ()
    origins: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    forms: tuple[FormRef, ...] = ()
    stages: tuple[str, ...] = ()
    filed_from: date | None = None
    filed_to: date | None = None
    event_from: date | None = None
    event_to: date | None = None

    def __post_init__(self) -> None:
        problems = _problems(self)
        if problems:
            raise FilterError(problems)

    def match(self) -> dict[str, Any]:
        """The `$match` document; ``{}`` selects every case."""
        clauses = [
            _within("country", self.countries),
            _within("dimensions.destination_country", self.destinations),
            _within("dimensions.nationality", self.origins),
            _within("team", self.teams),
            _within("stage", self.stages),
            forms_match(self.forms) if self.forms else {},
            self._filed(),
            *overlapping(self.event_from, self.event_to),
        ]
        present = [c for c in clauses if c]
        if not present:
            return {}
        return present[0] if len(present) == 1 else {"$and": present}

    def _filed(self) -> dict[str, Any]:
        bounds: dict[str, datetime] = {}
        if self.filed_from is not None:
            bounds["$gte"] = datetime.combine(self.filed_from, time(), UTC)
        if self.filed_to is not None:
            bounds["$lt"] = datetime.combine(self.filed_to + timedelta(days=1), time(), UTC)
        return {"created_at": bounds} if bounds else {}

    def describe(self) -> dict[str, Any]:
        """The filter as plain JSON data, for the audit record and the report's scope."""
        return {
            "countries": list(self.countries), "destinations": list(self.destinations),
            "origins": list(self.origins), "teams": list(self.teams),
            "stages": list(self.stages),
            "forms": [f"{i}:{v}" if v is not None else i for i, v in self.forms],
            "filed_from": _iso(self.filed_from), "filed_to": _iso(self.filed_to),
            "event_from": _iso(self.event_from), "event_to": _iso(self.event_to),
        }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _within(path: str, values: Sequence[str]) -> dict[str, Any]:
    return {path: {"$in": list(values)}} if values else {}


def forms_match(forms: Iterable[FormRef]) -> dict[str, Any]:
    """Cases filed on these form versions (version None: any version of that form)."""
    any_version = sorted({i for i, v in forms if v is None})
    versions: dict[str, set[int]] = {}
    for form_id, version in forms:
        if version is not None and form_id not in any_version:
            versions.setdefault(form_id, set()).add(version)
    clauses: list[dict[str, Any]] = []
    if any_version:
        clauses.append({"form.id": {"$in": any_version}})
    clauses += [{"form.id": i, "form.version": {"$in": sorted(v)}}
                for i, v in sorted(versions.items())]
    if not clauses:
        return {"form.id": {"$in": []}}
    return clauses[0] if len(clauses) == 1 else {"$or": clauses}


def _problems(f: ExportFilter) -> list[str]:
    problems: list[str] = []
    for name, values in (("country", f.countries), ("destination", f.destinations),
                         ("origin", f.origins)):
        problems += [f"{name}: {v!r} is not a two-letter country code"
                     for v in values if not (isinstance(v, str) and COUNTRY.match(v))]
    problems += [f"stage: {s!r} is not a stage name" for s in f.stages
                 if not (isinstance(s, str) and STAGE.match(s))]
    problems += [f"team: {t!r} is not a team id" for t in f.teams
                 if not (isinstance(t, str) and len(t) <= 64 and TEAM_KEY.match(t))]
    for ref in f.forms:
        if not _valid_form_ref(ref):
            problems.append(f"form: {ref!r} is not a form id with an optional version")
    for start_name, start, end_name, end in (("from", f.filed_from, "to", f.filed_to),
                                             ("event_from", f.event_from, "event_to",
                                              f.event_to)):
        problems += _span_problems(start_name, start, end_name, end)
    return problems


def _span_problems(start_name: str, start: Any, end_name: str, end: Any) -> list[str]:
    problems = [f"{name}: {day!r} is not a day" for name, day in ((start_name, start),
                                                                   (end_name, end))
                if day is not None and (not isinstance(day, date) or isinstance(day, datetime))]
    if not problems and start is not None and end is not None and end < start:
        problems.append(f"{end_name}: {end.isoformat()} is before {start_name}: "
                        f"{start.isoformat()}")
    return problems


def _valid_form_ref(ref: Any) -> bool:
    if not (isinstance(ref, tuple) and len(ref) == 2 and isinstance(ref[0], str)):
        return False
    version = ref[1]
    valid_version = version is None or (type(version) is int and version >= 1)
    return bool(FORM_ID.match(ref[0])) and valid_version


def parse_filter(params: Mapping[str, Any]) -> ExportFilter:
    """Build a filter from query or command-line parameters, reporting every problem.

    Each parameter is text or a list of texts; commas separate several values
    (``country=MY,SG``). Forms are written ``my-intake`` or ``my-intake:3``.
    """
    problems: list[str] = []
    values: dict[str, Any] = {}
    for key, raw in params.items():
        if key not in PARAMETERS:
            problems.append(f"{key!r} is not a filter; use {', '.join(PARAMETERS)}")
            continue
        texts = _texts(raw)
        if texts is None:
            problems.append(f"{key}: expected text")
            continue
        before = len(problems)
        value = _convert(key, texts, problems)
        if len(problems) == before:
            values[PARAMETERS[key]] = value
    try:
        built = ExportFilter(**values)
    except FilterError as error:
        problems += error.problems
    if problems:
        raise FilterError(problems)
    return built


def _texts(raw: Any) -> list[str] | None:
    items = raw if isinstance(raw, (list, tuple)) else [raw]
    if not all(isinstance(item, str) for item in items):
        return None
    return [part.strip() for item in items for part in item.split(",") if part.strip()]


def _convert(key: str, texts: list[str], problems: list[str]) -> Any:
    if key in ("from", "to"):
        if len(texts) != 1:
            problems.append(f"{key}: give one day as YYYY-MM-DD")
            return None
        return _day(key, texts[0], problems)
    if key in ("event_from", "event_to"):
        if len(texts) != 1:
            problems.append(f"{key}: give one period as YYYY, YYYY-MM or YYYY-MM-DD")
            return None
        return _period_end(key, texts[0], problems)
    if key == "form":
        return tuple(_form_ref(t, problems) for t in texts)
    upper = key in ("country", "destination", "origin")
    return tuple(t.upper() if upper else t for t in texts)


def _period_end(key: str, text: str, problems: list[str]) -> date | None:
    """`event_from` reads the first day of the period written, `event_to` the last."""
    try:
        first, last = period_bounds(text)
    except ValueError:
        problems.append(f"{key}: {text!r} is not a year, month or day (2005, 2005-03 or "
                        "2005-03-14)")
        return None
    return first if key == "event_from" else last


def _day(key: str, text: str, problems: list[str]) -> date | None:
    """A day written exactly YYYY-MM-DD (Python also reads forms such as 20260101)."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    problems.append(f"{key}: {text!r} is not a day written YYYY-MM-DD")
    return None


def _form_ref(text: str, problems: list[str]) -> FormRef:
    match = FORM_REF.match(text)
    if not match:
        problems.append(f"form: {text!r} is not written as form-id or form-id:version")
        return ("", None)
    version = match.group("version")
    return (match.group("id"), int(version) if version else None)
