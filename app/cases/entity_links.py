"""Linking a case's actors to registry entities, on the case page.

Shown to the caseworkers who may act on the case (its reviewers, coordinators). For
each actor the answers name (`agency_name`, and the sealed `employer_name`), the page
lists candidate entities from `workflows.registry.matching.candidates`, with why each
matches; a licence number typed in the page's search adds the entities holding it. The
reviewer links one (POST, CSRF, the case version); a new entity is made only through
its own form. Each link, unlink and creation is an event on the case's timeline and
an entry in the audit log. Candidates are fetched by blocking key and licence key
(`EntityStore.candidates_for`), so a page never reads the whole registry.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _

from app.cases.page import render_case
from app.cases.queue import bp
from app.cases.support import CASEWORKERS, actor_of, case_or_404, sees_full_case
from app.registry.forms import LinkForm, NewEntityForm, UnlinkForm
from app.registry.words import (
    ACTOR_LABELS,
    KIND_LABELS,
    REASON_LABELS,
    label,
    problem_texts,
)
from app.roles import has_role, roles_required
from app.services import services
from workflows.errors import StaleVersion, TransitionNotAllowed
from workflows.registry.authorities import read_authorities
from workflows.registry.editing import NewEntity
from workflows.registry.links import ACTOR_QUESTIONS, LinkRefused, LinkRequest, links_of
from workflows.registry.matching import candidates

#: Candidates shown per actor.
SHOWN = 5
LICENCE_MAX = 100


def authorities() -> dict[str, Any]:
    return read_authorities()


def may_link(user: Mapping[str, Any], case: Mapping[str, Any]) -> bool:
    """The case's caseworkers: a reviewer or coordinator who sees the whole case."""
    return has_role(user, *CASEWORKERS) and sees_full_case(user, case)


def named_actors(case: Mapping[str, Any], opened: Mapping[str, Any] | None
                 ) -> list[dict[str, Any]]:
    """The actors the answers name: question, actor kind, the name as typed, and the
    country their candidates are compared with (the form's country for an agency, which
    recruits where the worker left from; the destination for an employer)."""
    answers = case.get("answers") or {}
    found = []
    for question, kind in ACTOR_QUESTIONS.items():
        name = answers.get(question) or (opened or {}).get(question)
        if isinstance(name, str) and name.strip():
            country = (case.get("country") if kind == "agency" else
                       (case.get("dimensions") or {}).get("destination_country"))
            found.append({"question": question, "actor": kind, "name": name.strip(),
                          "country": country, "label": label(ACTOR_LABELS, kind)})
    return found


def links_context(case: Mapping[str, Any], user: Mapping[str, Any],
                  opened: Mapping[str, Any] | None,
                  forms: Mapping[str, Any]) -> dict[str, Any]:
    """What the case page's registry section shows; for those who may not link, only
    the names of the entities its timeline mentions."""
    svc = services()
    if not may_link(user, case):
        named = svc.entities.get_many(_event_entity_ids(case))
        return {"entity_names": {i: e.get("name") for i, e in named.items()},
                "actor_labels": {k: str(v) for k, v in ACTOR_LABELS.items()}}
    known = authorities()
    licence = (request.args.get("licence") or "").strip()[:LICENCE_MAX]
    authority = request.args.get("authority") or ""
    wanted = [authority] if authority in known else list(known)
    actors = named_actors(case, opened)
    fetched = svc.entities.candidates_for([a["name"] for a in actors],
                                          [licence] if licence else [], wanted)
    by_id = {e["_id"]: e for e in fetched}
    version = str(case["version"])
    for actor in actors:
        found = candidates(actor["name"], fetched, licence=licence or None,
                           authority=authority if authority in known else None,
                           country=actor["country"], limit=SHOWN)
        actor["candidates"] = [_candidate_view(c, by_id[c.entity_id], actor, version)
                               for c in found]
    if licence and not actors:
        actors = [{"question": None, "actor": "other", "name": "", "label": "",
                   "candidates": [_candidate_view(c, by_id[c.entity_id],
                                                  {"actor": "other", "question": None}, version)
                                  for c in candidates("", fetched, licence=licence, limit=SHOWN)]}]
    links = links_of(case)
    linked = svc.entities.get_many([link["entity_id"] for link in links] +
                                   _event_entity_ids(case))
    return {
        "entity_actors": actors, "entity_licence": licence, "entity_authority": authority,
        "entity_authorities": known,
        "entity_links": [_link_view(link, linked.get(link["entity_id"]), version)
                         for link in links],
        "entity_names": {i: e.get("name") for i, e in linked.items()},
        "actor_labels": {k: str(v) for k, v in ACTOR_LABELS.items()},
        "new_entity_form": _new_entity_form(forms.get("new_entity"), case, known),
    }


def _candidate_view(found: Any, entity: Mapping[str, Any], actor: Mapping[str, Any],
                    version: str) -> dict[str, Any]:
    form = LinkForm(prefix="link", formdata=None, entity_id=entity["_id"], actor=actor["actor"],
                    question=actor.get("question") or "")
    form.version.data = version
    return {"id": entity["_id"], "name": entity.get("name"), "country": entity.get("country"),
            "kind": label(KIND_LABELS, entity.get("kind")), "score": found.score,
            "reasons": [label(REASON_LABELS, r) for r in found.reasons],
            "licences": [f"{lic['authority']} {lic['number']}" for lic in
                         entity.get("licences") or ()],
            "form": form}


def _link_view(link: Mapping[str, Any], entity: Mapping[str, Any] | None,
               version: str) -> dict[str, Any]:
    form = UnlinkForm(prefix="unlink", formdata=None, entity_id=link["entity_id"],
                      actor=link.get("actor"))
    form.version.data = version
    return {"id": link["entity_id"], "name": (entity or {}).get("name") or link["entity_id"],
            "actor": label(ACTOR_LABELS, link.get("actor")), "form": form,
            "merged_into": (entity or {}).get("merged_into")}


def _event_entity_ids(case: Mapping[str, Any]) -> list[str]:
    ids = []
    for event in case.get("events") or ():
        data = event.get("data") or {}
        if str(event.get("kind") or "").startswith("entity_"):
            ids += [data.get(k) for k in ("entity_id", "from", "to") if data.get(k)]
    return ids


def _new_entity_form(given: Any, case: Mapping[str, Any], known: Mapping[str, Any]) -> Any:
    form = given or NewEntityForm(prefix="entity", formdata=None)
    # Authorities by key: their names are English data (config/authorities.yaml), and
    # the entity page names them in full.
    form.authority.choices = [("", _("None"))] + [(key, key) for key in known]
    form.version.data = str(case["version"])
    return form


def _refused(case: Mapping[str, Any], reasons: Any, forms: Mapping[str, Any] | None = None):
    return render_case(case, status=400, forms=forms,
                       error=" ".join(problem_texts(reasons)))


def _checked(reference: str, form: Any, key: str) -> tuple[dict, Any]:
    """The case for a caseworker of it, or a page to answer with (form or version wrong)."""
    case = case_or_404(reference, g.user)
    if not may_link(g.user, case):
        abort(403)
    if not form.validate_on_submit():
        return case, render_case(case, status=400, forms={key: form},
                                 error=_("The form was not accepted. Please try again."))
    if int(form.version.data) != case["version"]:
        raise StaleVersion(case["_id"], case["stage"], int(form.version.data))
    return case, None


def _audit(action: str, case: Mapping[str, Any], **details: Any) -> None:
    services().audit.record(action, actor=g.user["_id"], target=case["_id"],
                            reference=case.get("reference"), **details)


def _back(case: Mapping[str, Any], done: str):
    flash(done)
    return redirect(url_for("cases.case", reference=case["reference"]) + "#registry-title")


@bp.route("/<reference>/entity-links", methods=["POST"])
@roles_required(*CASEWORKERS)
def link_entity(reference: str):
    form = LinkForm(prefix="link")
    case, answer = _checked(reference, form, "link")
    if answer is not None:
        return answer
    wanted = LinkRequest(form.entity_id.data, form.actor.data, form.question.data or None)
    try:
        services().registry.link(case, actor_of(g.user), wanted)
    except LinkRefused as exc:
        return _refused(case, exc.reasons)
    except TransitionNotAllowed:
        abort(403)
    _audit("registry.link", case, entity=wanted.entity_id, actor_kind=wanted.actor,
           question=wanted.question)
    return _back(case, _("The entity was linked to the case."))


@bp.route("/<reference>/entity-links/remove", methods=["POST"])
@roles_required(*CASEWORKERS)
def unlink_entity(reference: str):
    form = UnlinkForm(prefix="unlink")
    case, answer = _checked(reference, form, "unlink")
    if answer is not None:
        return answer
    try:
        services().registry.unlink(case, actor_of(g.user), form.entity_id.data, form.actor.data)
    except LinkRefused as exc:
        return _refused(case, exc.reasons)
    except TransitionNotAllowed:
        abort(403)
    _audit("registry.unlink", case, entity=form.entity_id.data, actor_kind=form.actor.data)
    return _back(case, _("The link was removed."))


@bp.route("/<reference>/entities", methods=["POST"])
@roles_required(*CASEWORKERS)
def create_entity(reference: str):
    """A new entity, made on purpose, linked to the case as the actor chosen."""
    form = NewEntityForm(prefix="entity")
    known = authorities()
    form.authority.choices = [("", "")] + [(key, key) for key in known]
    case, answer = _checked(reference, form, "new_entity")
    if answer is not None:
        return answer
    new = NewEntity(kind=form.kind.data, name=(form.name.data or "").strip(),
                    country=(form.country.data or "").strip().upper(),
                    licence=(form.licence.data or "").strip(), authority=form.authority.data or "")
    svc = services()
    entity, problems = svc.registry.create(new, actor_of(g.user), known)
    if entity is None:
        return _refused(case, problems, {"new_entity": form})
    _audit("registry.create_entity", case, entity=entity["_id"], name=entity["name"],
           kind=entity["kind"], country=entity["country"],
           licences=[f"{lic['authority']}:{lic['number']}" for lic in entity["licences"]])
    try:
        svc.registry.link(case, actor_of(g.user), LinkRequest(entity["_id"], form.actor.data),
                          created=True)
    except (LinkRefused, TransitionNotAllowed, StaleVersion) as exc:
        reasons = getattr(exc, "reasons", ())
        return _refused(svc.cases.get(case["_id"]) or case, reasons or ["conflict"])
    _audit("registry.link", case, entity=entity["_id"], actor_kind=form.actor.data,
           created=True)
    return _back(case, _("The entity was created and linked to the case."))
