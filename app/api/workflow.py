"""The case workflow over JSON: lists, one case, transitions and follow-up actions.

Routes on the `api` blueprint (bearer tokens). Every read is scoped by
`workflows.scope`: a case the user may not see answers 404, exactly like a
reference that does not exist, so references cannot be probed. Every change goes
through the case service; its domain errors are mapped here, in one table:
a refused transition is 422 with the reason code, a concurrent change is 409 with
the case as it now stands, a malformed request is 400 (each body is checked
against its schema in `app.api.schemas` first).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from flask import Response, abort, g, jsonify, request

from app import roles as r
from app.api import bp
from app.api.json_body import checked_body
from app.api.mission_cases import (
    mission_case_by_handle,
    mission_rows,
    reads_as_mission,
    staff_actor,
)
from app.cases.support import references_seen, visible_duplicates
from app.roles import roles_required
from app.services import services
from workflows.errors import StaleVersion, TransitionNotAllowed
from workflows.queue import FILTERS, QueryError, list_cases
from workflows.scope import can_see, case_filter_for, roles_of

READERS = (r.REPORTER, r.MEMBER, r.REVIEWER, r.COORDINATOR, r.MISSION)
ACTORS = (r.REPORTER, r.MEMBER, r.REVIEWER, r.COORDINATOR)
CASEWORKERS = (r.REVIEWER, r.COORDINATOR)
#: Never sent: the sealed answers and the keys derived from private data.
HIDDEN = ("sensitive", "tracking_hash", "duplicate_keys", "search_terms", "follow_up_reminders")
#: What a reporter sees of their own case: where it stands, never the reviewers' work.
REPORTER_FIELDS = ("reference", "country", "stage", "created_at", "updated_at", "language",
                   "version")
DEFAULT_LIMIT = 25


def actor_of(user: Mapping[str, Any]) -> dict[str, Any]:
    """The user's staff roles; a mission reads through `app.api.mission_cases` only."""
    return staff_actor(user)


def _json(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    return value


def case_view(case: Mapping[str, Any], actor: Mapping[str, Any]) -> dict[str, Any]:
    """The case as this staff actor may read it (a mission's view is `mission_cases`)."""
    roles = roles_of(actor)
    if roles.isdisjoint({r.MEMBER, r.REVIEWER, r.COORDINATOR}):
        return _json({k: case.get(k) for k in REPORTER_FIELDS})
    view = {k: v for k, v in case.items() if k not in HIDDEN and k != "_id"}
    _scoped_duplicates([view], [case], actor)
    view["transitions"] = [t.name for t in services().workflow.available(case, actor)]
    return _json(view)


def _scoped_duplicates(views: list[dict[str, Any]], cases: list[Mapping[str, Any]],
                       actor: Mapping[str, Any]) -> None:
    """Name only the related cases the actor may see: the possible duplicates (the others
    are counted) and the original of a duplicate (null when outside the scope)."""
    seen = references_seen(cases, actor)
    found = visible_duplicates(cases, seen)
    for view, case in zip(views, cases, strict=True):
        shown, unseen = found[case["_id"]]
        view["possible_duplicates"] = shown
        view["possible_duplicates_unseen"] = unseen
        if view.get("duplicate_of") and view["duplicate_of"] not in seen:
            view["duplicate_of"] = None
        if "events" in view:
            view["events"] = [_unseen_original(e, seen) for e in view["events"]]


def _unseen_original(event: Mapping[str, Any], seen: set[str]) -> Mapping[str, Any]:
    data = event.get("data")
    if isinstance(data, Mapping) and data.get("duplicate_of") and data["duplicate_of"] not in seen:
        return {**event, "data": {**data, "duplicate_of": None}}
    return event


def _visible_case(reference: str) -> dict[str, Any]:
    """The case when it is in the user's scope; 404 otherwise. The scope is part of the
    query, so a case outside it costs the same as a reference nobody holds."""
    actor = actor_of(g.user)
    # The API serves the cases the user handles or filed; a case shared with them is
    # read on its page, which shows only what the share allows (docs/handover.md).
    case = services().cases.by_reference(reference, within=case_filter_for(actor, shared=False))
    if case is None or not can_see(actor, case, shared=False):
        abort(404)
    return case


def _bad(status: int, message: str, **extra: Any) -> Response:
    response = jsonify({"error": {"status": status, "message": message, **extra}})
    response.status_code = status
    return response


def _refused(exc: TransitionNotAllowed):
    return _bad(422, exc.message, reason=str(exc.reason), fields=list(exc.fields))


def _conflict(case_id: str):
    current = services().cases.get(case_id)
    body = {"error": {"status": 409, "message": "Someone else changed this case first. "
                      "Here it is as it stands now; decide again on that."}}
    if current is not None:
        body["case"] = case_view(current, actor_of(g.user))
    return jsonify(body), 409


def _body(schema: str) -> dict[str, Any]:
    """The body, checked against its schema in `app.api.schemas` before anything else."""
    return checked_body(schema)


def _version(body: Mapping[str, Any], required: bool) -> int | None:
    version = body.get("version")
    if version is None and not required:
        return None
    if isinstance(version, bool) or not isinstance(version, int):
        abort(_bad(400, "Give the case's version as a whole number.", fields=["version"]))
    return version


@bp.route("/cases", methods=["GET"])
@roles_required(*READERS)
def list_case_rows():
    args = request.args.to_dict(flat=False)
    repeated = sorted(k for k, v in args.items() if len(v) > 1)
    if repeated:
        return _bad(400, f"Give {repeated[0]} once.", fields=repeated)
    flat = {k: v[0] for k, v in args.items()}
    queue, after = flat.pop("queue", "all"), flat.pop("after", None)
    limit_text = flat.pop("limit", str(DEFAULT_LIMIT))
    if not (limit_text.isdecimal() and len(limit_text) <= 9):  # "²" is a digit int() refuses
        return _bad(400, "limit must be a whole number.", fields=["limit"])
    unknown = sorted(k for k in flat if k not in FILTERS)
    if unknown:
        return _bad(400, f"{unknown[0]} is not a filter.", fields=unknown)
    actor = actor_of(g.user)
    try:
        if reads_as_mission(g.user):
            rows, next_after = mission_rows(g.user, queue, flat, after, int(limit_text))
            return jsonify({"items": _json(rows), "next_after": next_after})
        page = list_cases(services().cases, actor, queue, flat, after, int(limit_text),
                          shared=False)
    except QueryError as exc:
        return _bad(400, exc.message, fields=[exc.field])
    rows = [{k: v for k, v in row.items() if k != "_id"} for row in page.items]
    if roles_of(actor).isdisjoint({r.MEMBER, r.REVIEWER, r.COORDINATOR}):
        rows = [{k: row.get(k) for k in REPORTER_FIELDS} for row in rows]
    else:
        _scoped_duplicates(rows, page.items, actor)
    return jsonify({"items": _json(rows), "next_after": page.next_after})


@bp.route("/cases/<reference>", methods=["GET"])
@roles_required(*READERS)
def show_case(reference: str):
    """A case by its reference, or, for a mission, by the handle its list gave."""
    if r.has_role(g.user, r.MISSION) and reference.startswith("P-"):
        view = mission_case_by_handle(g.user, reference)
        if view is None:
            abort(404)
        return jsonify(_json(view))
    return jsonify(case_view(_visible_case(reference), actor_of(g.user)))


def _change(case: dict[str, Any], change: Any, status: int = 200):
    """Run one service call and answer with the case, a refusal or a conflict."""
    try:
        updated = change(case)
    except TransitionNotAllowed as exc:
        return _refused(exc)
    except StaleVersion:
        return _conflict(case["_id"])
    return jsonify(case_view(updated, actor_of(g.user))), status


def _guarded(case: dict[str, Any], version: int | None) -> dict[str, Any]:
    """The case as loaded, or a stale copy when the client's version is older."""
    if version is not None and version != case.get("version"):
        return {**case, "version": version}
    return case


@bp.route("/cases/<reference>/transitions", methods=["POST"])
@roles_required(*ACTORS)
def take_transition(reference: str):
    body, case = _body("Transition"), _visible_case(reference)
    version = _version(body, required=True)
    to = body.get("to")
    if not isinstance(to, str) or not to.strip():
        return _bad(400, "Say which stage or transition to take in 'to'.", fields=["to"])
    data = {k: v for k, v in body.items() if k not in ("to", "version")}
    return _change(case, lambda c: services().workflow.transition(
        c, to.strip(), actor_of(g.user), data, version))


@bp.route("/cases/<reference>/follow-ups", methods=["POST"])
@roles_required(*CASEWORKERS)
def add_follow_up(reference: str):
    body, case = _body("FollowUp"), _visible_case(reference)
    version = _version(body, required=False)
    action = {k: v for k, v in body.items() if k != "version"}
    return _change(_guarded(case, version), lambda c: services().workflow.add_follow_up(
        c, actor_of(g.user), action), status=201)


@bp.route("/cases/<reference>/follow-ups/<action_id>", methods=["PATCH"])
@roles_required(*CASEWORKERS)
def change_follow_up(reference: str, action_id: str):
    body, case = _body("FollowUp"), _visible_case(reference)
    version = _version(body, required=False)
    changes = {k: v for k, v in body.items() if k != "version"}
    return _change(_guarded(case, version), lambda c: services().workflow.update_follow_up(
        c, actor_of(g.user), action_id, changes))


@bp.route("/cases/<reference>/assignee", methods=["PUT"])
@roles_required(*CASEWORKERS)
def assign_case(reference: str):
    """`{"assignee": "<user id>" | "me", "version": n}`."""
    body, case = _body("Assignee"), _visible_case(reference)
    version = _version(body, required=False)
    assignee = body.get("assignee")
    actor = actor_of(g.user)
    if assignee == "me":
        return _change(_guarded(case, version), lambda c: services().workflow.claim(c, actor))
    return _change(_guarded(case, version), lambda c: services().workflow.assign(
        c, actor, assignee if isinstance(assignee, str) else ""))


@bp.route("/cases/<reference>/notes", methods=["POST"])
@roles_required(r.MEMBER, r.REVIEWER, r.COORDINATOR)
def add_note(reference: str):
    body, case = _body("Note"), _visible_case(reference)
    version = _version(body, required=False)
    text = body.get("text")
    return _change(_guarded(case, version), lambda c: services().workflow.add_note(
        c, actor_of(g.user), text if isinstance(text, str) else ""), status=201)
