"""The case lists behind the reviewer screens and `GET /api/v1/cases`.

Every list is the actor's scope (`workflows.scope`) AND a queue AND the filters,
sorted on an indexed key with `_id` as tie-breaker and paged by keyset: the next
page starts after the last (key, _id) seen, so page 500 costs what page 1 costs
and no `skip` is ever used.

A page costs the same at a million cases as at ten thousand. Not every supported
server reads a sorted index in order: FerretDB 2 on DocumentDB collects every case
its index condition matches, then sorts them. So the newest-first lists ask for a
page within a filing window first (the last hour before the cursor), read from the
filing-time index, and widen it only while it holds less than a page, each time to the
width the cases found so far say a page needs (`next_width`); the other conditions are
tested on the cases of the window. What a page reads follows how many cases fill it,
not how many are stored or filed a day. Each
scope and queue clause is written
for that: equality branches rather than `$in` on an index's leading key, and the
open stages as a residual test (`$nor`/`$nin`), which no index is chosen for.

Request values never reach the query as they came: each filter is checked and
coerced to its type (a country code, a stage name, an article number, a date...),
and anything that is not a plain string or number, such as `{"$ne": ""}`, is
refused with `QueryError`. Text search matches anchored prefixes on the indexed
`search_terms` array (no `$text`, which FerretDB lacks).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from workflows.case_facts import overlapping, period_bounds
from workflows.scope import case_filter_for
from workflows.search_terms import query_words

QUEUES = ("mine", "team", "unassigned", "urgent", "overdue", "all")
#: Orders of a list: newest received first, or the soonest stage deadline first (cases
#: without one, finished ones, left out), paged by (due_at, _id) from `DUE_INDEX`.
SORTS = ("received", "due")
DUE_INDEX = "due"
#: Below every date a deadline can hold: `due_at` at or after it is a date, not null.
NO_DATE = datetime(1970, 1, 1, tzinfo=UTC)
#: Stages in which a case still needs someone; the queues other than `all` show only these.
OPEN_STAGES = ("submitted", "in_review", "needs_info", "verified", "follow_up")
PRIORITIES = ("normal", "urgent")
GENDERS = ("woman", "man", "non_binary", "other", "undisclosed")
MAX_LIMIT = 100
#: The filing windows a newest-first page is looked for in, before the unbounded query.
FIRST_WINDOW = timedelta(hours=1)
#: Past this width a window bounds nothing worth it: the next query has none.
LAST_WINDOW = timedelta(days=1024)
#: The most a window grows at once (when it found nothing to go by).
MAX_GROWTH = 64
#: How much wider than the density found says: one more round trip costs more than
#: reading a few more cases.
MARGIN = 1.5
#: The index a window is read from: {created_at, _id}, whose first key the window bounds.
#: Left to itself, FerretDB 2's planner read windows through indexes that only bound
#: them on a second key, or through the text index (every case holding a common word),
#: at ten times the cost at a million cases (BENCHMARKS.md).
WINDOW_INDEX = "created"
#: Fields returned in a list row: enough for the screens, never the sealed answers.
ROW_FIELDS = ("reference", "country", "stage", "priority", "team", "assignee", "mwc",
              "dimensions", "created_at", "updated_at", "due_at", "version",
              "caseworker_gender", "possible_duplicates", "form", "language", "outcome",
              "terms", "follow_up_due_at")


class QueryError(ValueError):
    """A list request with a value that is not acceptable; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Page:
    """One page of rows; `next_after` is the cursor of the next page, None at the end."""

    items: list[dict[str, Any]]
    next_after: str | None


def list_cases(repo: Any, actor: Mapping[str, Any], queue: str, filters: Mapping[str, Any],
               after: str | None, limit: int, *, now: datetime | None = None,
               narrower: Mapping[str, Any] | None = None, sort: str = "received",
               shared: bool = True) -> Page:
    """One page of the cases `actor` may see in `queue`, narrowed by `filters`.

    `narrower` is a clause the caller builds (never from request values) that narrows
    the scope further, such as the consent a mission's reading needs. The filter
    `overdue` (yes) keeps the cases past their stage deadline. `shared=False` leaves
    out the cases the actor only reaches through a share or a former team.
    """
    now = now or datetime.now(UTC)
    queue = _plain("queue", queue)
    if queue not in QUEUES:
        raise QueryError("queue", f"must be one of {', '.join(QUEUES)}.")
    if _plain("sort", sort) not in SORTS:
        raise QueryError("sort", f"must be one of {', '.join(SORTS)}.")
    limit = _limit(limit)
    by_due = queue == "overdue" or sort == "due"
    key, direction = ("due_at", 1) if by_due else ("created_at", -1)
    windowed = direction < 0
    floor = filters.get("date_from") if windowed else None
    floor = _date("date_from", floor) if floor not in (None, "") else None
    clauses = [case_filter_for(actor, shared=shared), dict(narrower or {}), _queue_clause(queue, actor, now),
               *_due_clauses(filters.get("overdue"), sort == "due", now),
               *filter_clauses({k: v for k, v in filters.items()
                                if not (floor and k == "date_from") and k != "overdue"})]
    start: datetime | None = now
    if after is not None:
        start = _cursor_value(after)
        clauses.append(_after_clause(key, direction, after))
    clauses = [c for c in clauses if c]
    until = filters.get("date_to")
    if start and until not in (None, ""):  # nothing newer can match: look back from there
        start = min(start, _date("date_to", until) + timedelta(days=1))
    rows = _windowed(repo, clauses, start, floor, limit) if windowed and start else None
    if rows is None:
        if floor:
            clauses.append({key: {"$gte": floor}})
        rows = _page(repo, clauses, key, direction, limit + 1,
                     hint=DUE_INDEX if sort == "due" and queue != "overdue" else None)
    more = len(rows) > limit
    rows = rows[:limit]
    next_after = _cursor(rows[-1].get(key), rows[-1]["_id"]) if more and rows else None
    return Page(rows, next_after)


def _windowed(repo: Any, clauses: list[dict[str, Any]], start: datetime,
              floor: datetime | None, limit: int) -> list[dict[str, Any]] | None:
    """The newest page within the first filing window before `start` that holds one,
    read from the filing-time index (`WINDOW_INDEX`); None when even the widest window
    does not. A `date_from` (`floor`) is the window's lower bound, not a second
    condition, and the window that reaches it is the last one needed."""
    width = FIRST_WINDOW
    while width <= LAST_WINDOW:
        since = start - width
        reaches_floor = floor is not None and since <= floor
        rows = _page(repo, [*clauses, {"created_at": {"$gte": max(since, floor or since)}}],
                     "created_at", -1, limit + 1, hint=WINDOW_INDEX)
        if len(rows) > limit or reaches_floor:
            return rows
        width = next_width(width, len(rows), limit)
    return None


def next_width(width: timedelta, found: int, limit: int) -> timedelta:
    """The window to try after one of `width` held `found` (< limit + 1) matching cases:
    as wide as that density says a page needs, with a margin, and at most `MAX_GROWTH`
    times wider."""
    growth = MAX_GROWTH if found == 0 else min(MAX_GROWTH, (limit + 1) / found * MARGIN)
    return width * max(growth, 2)


def _page(repo: Any, clauses: list[dict[str, Any]], key: str, direction: int,
          count: int, hint: str | None = None) -> list[dict[str, Any]]:
    """The first `count` cases matching every clause, in (key, _id) order."""
    query = {"$and": clauses} if clauses else {}
    cursor = repo.cases.find(query, {f: 1 for f in ROW_FIELDS}).sort(
        [(key, direction), ("_id", direction)])
    if hint is not None:
        cursor = cursor.hint(hint)
    return list(cursor.limit(count))


def _due_clauses(overdue: Any, sorted_by_due: bool, now: datetime) -> list[dict[str, Any]]:
    """`overdue` (yes) keeps cases past their stage deadline; sorting by it keeps the
    cases that have one, so the (due_at, _id) keyset never meets a missing value."""
    if overdue not in (None, "", "no") and _plain("overdue", overdue) not in ("yes", 1):
        raise QueryError("overdue", "must be yes or no.")
    clauses = []
    if overdue in ("yes", 1):
        clauses.append({"due_at": {"$lte": now}})
    if sorted_by_due:
        clauses.append({"due_at": {"$gte": NO_DATE}})
    return clauses


def _queue_clause(queue: str, actor: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    # "not outside the open stages": the same cases as `$in`, but tested on each case
    # the window finds rather than chosen as the index (one that is not bounded).
    open_stages = {"$nor": [{"stage": {"$nin": list(OPEN_STAGES)}}]}
    if queue == "mine":
        return {"assignee": str(actor.get("id") or ""), **open_stages}
    if queue == "unassigned":
        return {"assignee": None, **open_stages}
    if queue == "urgent":
        return {"priority": "urgent", **open_stages}
    if queue == "overdue":
        return {"due_at": {"$lte": now}, **open_stages}
    if queue == "team":
        return open_stages
    return {}


def filter_clauses(filters: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Checked filter values as query clauses; unknown names and odd values are refused."""
    unknown = sorted(str(k) for k in filters if k not in FILTERS)
    if unknown:
        raise QueryError(unknown[0], f"is not a filter; filters are {', '.join(FILTERS)}.")
    clauses = []
    for name, value in filters.items():
        if value is None or value == "":
            continue
        clauses.append(FILTERS[name](name, _plain(name, value)))
    return clauses


def _plain(name: str, value: Any) -> Any:
    """Only a plain text or whole number reaches a filter: never a mapping or a list."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise QueryError(name, "must be a single text or number.")
    if isinstance(value, str) and len(value) > 200:
        raise QueryError(name, "is too long.")
    return value


def _pattern(regex: str, example: str, upper: bool = False) -> Callable[[str, Any], str]:
    compiled = re.compile(regex)

    def check(name: str, value: Any) -> str:
        text = str(value).strip()
        text = text.upper() if upper else text
        if not compiled.match(text):
            raise QueryError(name, f"must look like {example}.")
        return text

    return check


_country = _pattern(r"^[A-Z]{2}$", "MY", upper=True)
_stage = _pattern(r"^[a-z][a-z0-9_]{0,40}$", "in_review")


def _country_clause(name: str, value: Any) -> dict[str, Any]:
    code = _country(name, value)
    return {"$or": [{"country": code}, {"dimensions.destination_country": code}]}


def _one_of(options: tuple[str, ...], field: str) -> Callable[[str, Any], dict[str, Any]]:
    def clause(name: str, value: Any) -> dict[str, Any]:
        if value not in options:
            raise QueryError(name, f"must be one of {', '.join(options)}.")
        return {field: value}

    return clause


def _mwc_clause(name: str, value: Any) -> dict[str, Any]:
    text = str(value).strip().upper().removeprefix("MWC-")
    if not (text.isdecimal() and len(text) <= 3) or not 1 <= int(text) <= 93:
        raise QueryError(name, "must be an MWC article number such as 11 or MWC-11.")
    return {"mwc": int(text)}


def _date(name: str, value: Any) -> datetime:
    try:
        day = datetime.strptime(str(value).strip(), "%Y-%m-%d")
    except ValueError:
        raise QueryError(name, "must be a date such as 2026-03-01.") from None
    return day.replace(tzinfo=UTC)


def _event_clause(name: str, value: Any) -> dict[str, Any]:
    """Cases whose event period overlaps the period written (2005, 2005-03, 2005-03-14):
    from its first day for `event_from`, to its last for `event_to`."""
    try:
        first, last = period_bounds(str(value))
    except ValueError:
        raise QueryError(name, "must be a year, a month or a day such as 2005, 2005-03 or "
                               "2005-03-14.") from None
    [clause] = overlapping(first, None) if name == "event_from" else overlapping(None, last)
    return clause


_team = _pattern(r"^[a-z][a-z0-9-]{0,63}$", "my-team")
_form = _pattern(r"^[a-z0-9-]{1,64}$", "my-intake")


def _text_clause(name: str, value: Any) -> dict[str, Any]:
    found = query_words(str(value))
    if not found:
        raise QueryError(name, "needs at least one word of two letters or more.")
    return {"$and": [{"search_terms": {"$regex": "^" + re.escape(w)}} for w in found]}


FILTERS: Mapping[str, Callable[[str, Any], dict[str, Any]]] = {
    "country": _country_clause,
    "destination": lambda name, value: {"dimensions.destination_country": _country(name, value)},
    "origin": lambda name, value: {"dimensions.nationality": _country(name, value)},
    "team": lambda name, value: {"team": _team(name, value)},
    "form": lambda name, value: {"form.id": _form(name, value)},
    "event_from": _event_clause,
    "event_to": _event_clause,
    "stage": lambda name, value: {"stage": _stage(name, value)},
    "mwc": _mwc_clause,
    "gender": _one_of(GENDERS, "dimensions.gender"),
    "priority": _one_of(PRIORITIES, "priority"),
    "date_from": lambda name, value: {"created_at": {"$gte": _date(name, value)}},
    "date_to": lambda name, value: {
        "created_at": {"$lt": _date(name, value) + timedelta(days=1)}},
    "text": _text_clause,
}


def _limit(limit: Any) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise QueryError("limit", f"must be a whole number from 1 to {MAX_LIMIT}.")
    return min(limit, MAX_LIMIT)


def _cursor(value: Any, case_id: str) -> str:
    stamp = value.isoformat() if isinstance(value, datetime) else ""
    return base64.urlsafe_b64encode(f"{stamp}|{case_id}".encode()).decode().rstrip("=")


def _after_clause(key: str, direction: int, after: Any) -> dict[str, Any]:
    """Rows strictly after the cursor in (key, _id) order."""
    value, case_id = _parse_cursor(after)
    beyond = "$gt" if direction > 0 else "$lt"
    return {"$or": [{key: {beyond: value}}, {key: value, "_id": {beyond: case_id}}]}


def _cursor_value(after: Any) -> datetime | None:
    return _parse_cursor(after)[0]


def _parse_cursor(after: Any) -> tuple[datetime | None, str]:
    if not isinstance(after, str) or len(after) > 200:
        raise QueryError("after", "is not a cursor from a previous page.")
    try:
        raw = base64.urlsafe_b64decode(after + "=" * (-len(after) % 4)).decode()
        stamp, case_id = raw.split("|", 1)
        value = datetime.fromisoformat(stamp) if stamp else None
    except ValueError:
        raise QueryError("after", "is not a cursor from a previous page.") from None
    if not re.match(r"^[A-Za-z0-9_-]{1,80}$", case_id) or (value and value.tzinfo is None):
        raise QueryError("after", "is not a cursor from a previous page.")
    return value, case_id
