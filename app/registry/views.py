"""The registry's pages: the list of entities and each entity's page, with merge and split.

Never public. Reviewers, coordinators and mission members may read them; members
and reporters without one of those roles get 403, anonymous visitors the sign-in.
An entity's page counts its VERIFIED linked cases (`exports.counting`) by destination
state, MWC article and period, split by gender, published through
`exports.suppression` with the configured small-cell threshold. Staff count the cases
of the whole network (published tables: aggregate counts, small cells hidden) and
list the linked cases in their own scope; a mission member counts and lists only the
cases of its countries whose reporter consented to anonymous statistics, as
pseudonymised rows (`exports.mission_view`), never a reference or a name.
Merging and splitting are for coordinators (`workflows.registry.service.EDITOR_ROLES`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import roles as r
from app.api.mission_cases import case_handles_for, mission_actor, reads_as_mission, staff_actor
from app.cases.forms import STAGE_LABELS
from app.exports.indicators import WORDS
from app.i18n import current_language
from app.navigation import NavEntry, register
from app.public.support import forbid_caching
from app.registry.forms import MergeForm, SplitForm
from app.registry.words import KIND_LABELS, STATUS_LABELS, label, problem_texts
from app.roles import roles_required
from app.services import services
from exports.counting import counted_match
from exports.entity_tables import (
    BY_ARTICLE,
    BY_DESTINATION,
    BY_PERIOD,
    ENTITY_CASE_FIELDS,
    entity_tables,
)
from exports.indicator_grids import Words, grid
from exports.mission_view import ROW_PROJECTION, mission_consent, mission_redactor, mission_row
from exports.pipelines import all_of
from workflows.registry.editing import NewEntity
from workflows.registry.matching import candidates
from workflows.registry.service import CONFLICT
from workflows.scope import case_filter_for

bp = Blueprint("registry", __name__, url_prefix="/registry")
bp.after_request(forbid_caching)  # entity pages list cases

READER_ROLES = (r.REVIEWER, r.COORDINATOR, r.MISSION)
register(NavEntry("registry.entities", _l("Registry"), READER_ROLES))
#: Linked cases listed on an entity's page, newest first.
LISTED = 200
ENTITY_ID = r"ent_[0-9a-f]{32}"
TITLES = {BY_DESTINATION: _l("Cases by destination country, split by gender"),
          BY_ARTICLE: _l("Violations by MWC article, split by gender"),
          BY_PERIOD: _l("Cases by year of the events (else of filing), split by gender")}


def _words() -> Words:
    return Words(current_language(), {k: str(v) for k, v in WORDS.items()})


def _entity_or_404(entity_id: str) -> dict[str, Any]:
    entity = services().entities.get(entity_id)
    if entity is None or not str(entity_id).startswith("ent_"):
        abort(404)
    return entity


@bp.route("/entities")
@roles_required(*READER_ROLES)
def entities():
    text = (request.args.get("q") or "").strip()[:200]
    country = (request.args.get("country") or "").strip().upper()[:2]
    try:
        page = max(int(request.args.get("page") or 0), 0)
    except ValueError:
        page = 0
    found, more = services().entities.search(text, country if len(country) == 2 else "", page)
    rows = [{"id": e["_id"], "name": e.get("name"), "country": e.get("country"),
             "kind": label(KIND_LABELS, e.get("kind")),
             "licences": [f"{lic['authority']} {lic['number']}" for lic in e.get("licences") or ()]}
            for e in found]
    return render_template("registry/entities.html", rows=rows, q=text, country=country,
                           page=page, more=more)


@bp.route("/entities/<entity_id>")
@roles_required(*READER_ROLES)
def entity(entity_id: str):
    found = _entity_or_404(entity_id)
    if found.get("merged_into"):
        flash(_("This entity was merged into the one shown here."))
        return redirect(url_for("registry.entity", entity_id=found["merged_into"]))
    return render_entity(found)


def render_entity(found: Mapping[str, Any], *, status: int = 200,
                  problems: list[str] | None = None, merge_form: Any = None,
                  split_form: Any = None) -> tuple[str, int]:
    user = g.user
    as_mission = reads_as_mission(user)
    counted, rows = (_mission_cases if as_mission else _staff_cases)(found["_id"], user)
    threshold = services().settings.small_cell_threshold
    words = _words()
    tables = entity_tables(counted)
    grids = []
    for key, table in tables.items():
        shown = grid(key, table, threshold=threshold, words=words)
        grids.append(replace(shown, title=str(TITLES[key])))
    context = {"entity": found, "kind": label(KIND_LABELS, found.get("kind")),
               "licences": _licences(found), "statuses": _statuses(found), "grids": grids,
               "rows": rows, "as_mission": as_mission, "threshold": threshold,
               "problems": problems or [], "stage_labels": STAGE_LABELS,
               "counted": len(counted), "listed": LISTED}
    if r.has_role(user, r.COORDINATOR):
        context["merge_form"] = merge_form or _merge_form(found)
        context["split_form"] = split_form or _split_form(found, rows)
    return render_template("registry/entity.html", **context), status


def _staff_cases(entity_id: str, user: Mapping[str, Any]) -> tuple[list, list]:
    cases = services().cases
    counted = cases.linked_to(entity_id, counted_match(), ENTITY_CASE_FIELDS)
    listed = cases.linked_to(entity_id, case_filter_for(staff_actor(user)),
                             {"reference": 1, "stage": 1, "country": 1, "created_at": 1,
                              "dimensions.destination_country": 1, "entity_links": 1},
                             limit=LISTED)
    rows = [{"id": c["_id"], "reference": c["reference"], "stage": c.get("stage"),
             "country": c.get("country"),
             "destination": (c.get("dimensions") or {}).get("destination_country"),
             "filed": c.get("created_at"),
             "actors": sorted({link.get("actor") for link in c.get("entity_links") or ()
                               if link.get("entity_id") == entity_id})}
            for c in listed]
    return counted, rows


def _mission_cases(entity_id: str, user: Mapping[str, Any]) -> tuple[list, list]:
    """Only the mission's countries, only consented cases; rows pseudonymised."""
    cases = services().cases
    within = all_of(case_filter_for(mission_actor(user)), mission_consent())
    counted = cases.linked_to(entity_id, all_of(within, counted_match()), ENTITY_CASE_FIELDS)
    listed = cases.linked_to(entity_id, all_of(within, counted_match()),
                             dict.fromkeys(ROW_PROJECTION, 1), limit=LISTED)
    redactor = mission_redactor(case_handles_for(user).seal)
    return counted, [mission_row(c, redactor) for c in listed]


def _licences(found: Mapping[str, Any]) -> list[dict[str, Any]]:
    from app.cases.entity_links import authorities

    known = authorities()
    return [{"authority": lic["authority"],
             "authority_name": known[lic["authority"]].name if lic["authority"] in known
             else lic["authority"], "number": lic["number"],
             "last_list_date": lic.get("last_list_date")} for lic in found.get("licences") or ()]


def _statuses(found: Mapping[str, Any]) -> list[dict[str, Any]]:
    entries = sorted(found.get("statuses") or (), key=lambda s: s.get("since") or "",
                     reverse=True)
    return [{"status": label(STATUS_LABELS, s.get("status")), "since": s.get("since"),
             "source": s.get("source") or {}} for s in entries]


# -- merge and split (coordinators) -------------------------------------------------

def _merge_form(found: Mapping[str, Any], given: Any = None) -> MergeForm:
    form = given or MergeForm(prefix="merge", formdata=None)
    form.revision.data = str(found.get("revision", 0))
    similar = services().entities.candidates_for([found.get("name"), *(found.get("aliases") or ())])
    ranked = candidates(found.get("name") or "", [e for e in similar if e["_id"] != found["_id"]],
                        limit=10, threshold=50)
    by_id = {e["_id"]: e for e in similar}
    form.target.choices = [("", _("Choose an entity"))] + [
        (c.entity_id, f"{by_id[c.entity_id].get('name')} ({by_id[c.entity_id].get('country')})")
        for c in ranked]
    return form


def _split_form(found: Mapping[str, Any], rows: list[dict[str, Any]], given: Any = None) -> SplitForm:
    form = given or SplitForm(prefix="split", formdata=None, kind=found.get("kind"),
                              country=found.get("country"))
    form.revision.data = str(found.get("revision", 0))
    form.aliases.choices = [(a, a) for a in found.get("aliases") or ()]
    form.licences.choices = [(f"{lic['authority']}:{lic['number']}",
                              f"{lic['authority']} {lic['number']}")
                             for lic in found.get("licences") or ()]
    form.cases.choices = [(row["id"], row["reference"]) for row in rows if "reference" in row]
    return form


def _licence_keys(values: list[str]) -> list[str]:
    """Licence choices posted as AUTHORITY:NUMBER, as the registry keys them."""
    from workflows.registry.licences import licence_key

    keys = []
    for value in values:
        authority, _sep, number = value.partition(":")
        keys.append(licence_key(authority, number))
    return keys


def _audit(action: str, entity_id: str, **details: Any) -> None:
    services().audit.record(action, actor=g.user["_id"], target=entity_id, **details)


@bp.route("/entities/<entity_id>/merge", methods=["POST"])
@roles_required(r.COORDINATOR)
def merge(entity_id: str):
    """Merge this entity (B) into the one chosen (A)."""
    found = _entity_or_404(entity_id)
    form = MergeForm(prefix="merge")
    if not form.validate_on_submit():
        return render_entity(found, status=400, merge_form=_merge_form(found, form),
                             problems=[_("The form was not accepted. Please try again.")])
    outcome = services().registry.merge(form.target.data or "", entity_id,
                                        form.reason.data or "", _actor(),
                                        source_revision=int(form.revision.data))
    if outcome.problems:
        return render_entity(found, status=409 if CONFLICT in outcome.problems else 400,
                             merge_form=_merge_form(found, form),
                             problems=problem_texts(outcome.problems))
    _audit("registry.merge", form.target.data, merged=entity_id, reason=form.reason.data,
           moved_cases=outcome.moved_cases, unmoved_cases=outcome.unmoved_cases,
           **outcome.details)
    flash(_("The entity was merged: its names, licences, statuses and cases are here now."))
    return redirect(url_for("registry.entity", entity_id=form.target.data))


@bp.route("/entities/<entity_id>/split", methods=["POST"])
@roles_required(r.COORDINATOR)
def split(entity_id: str):
    """Move chosen aliases, licences and cases of this entity to a new one."""
    found = _entity_or_404(entity_id)
    _counted, rows = _staff_cases(entity_id, g.user)
    form = SplitForm(prefix="split")
    _split_form(found, rows, form)
    if not form.validate_on_submit():
        return render_entity(found, status=400, split_form=form,
                             problems=[_("The form was not accepted. Please try again.")])
    new = NewEntity(kind=form.kind.data, name=(form.name.data or "").strip(),
                    country=(form.country.data or "").strip().upper())
    outcome = services().registry.split(entity_id, new, form.aliases.data or [],
                                        _licence_keys(form.licences.data or []),
                                        form.cases.data or [], form.reason.data or "", _actor(),
                                        source_revision=int(form.revision.data))
    if outcome.problems:
        return render_entity(found, status=409 if CONFLICT in outcome.problems else 400,
                             split_form=form, problems=problem_texts(outcome.problems))
    created = outcome.entity
    _audit("registry.split", entity_id, new_entity=created["_id"], name=created["name"],
           reason=form.reason.data, moved_cases=outcome.moved_cases,
           unmoved_cases=outcome.unmoved_cases, **outcome.details)
    flash(_("A new entity was split off."))
    return redirect(url_for("registry.entity", entity_id=created["_id"]))


def _actor() -> dict[str, Any]:
    return staff_actor(g.user)
