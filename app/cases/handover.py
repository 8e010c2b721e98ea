"""The handover screens (docs/handover.md), registered on the `cases` blueprint.

The handling team shares a case from its own page (`/cases/<ref>/share`), transfers
it, and revokes a share; the receiving side finds what was shared with it on
"Shared with us" (`/cases/shared`), accepts or refuses it, and then reads the case as
its share allows (`shared_case_context`) and records follow-up actions. Every rule is
checked by the case service (`workflows.handover`); a refusal shows the form again
with the reason and stores nothing. Each step is written to the audit log.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app import roles as r
from app.cases.forms import FOLLOW_UP_STATUSES, FOLLOW_UP_TYPES, STAGE_LABELS, CaseForm, options
from app.cases.queue import bp
from app.cases.support import (
    CASEWORKERS,
    access_to,
    actor_of,
    case_or_404,
    case_service,
    people_names,
)
from app.navigation import NavEntry, register
from app.roles import roles_required
from app.services import services
from workflows.errors import Refusal, StaleVersion, TransitionNotAllowed
from workflows.handover import (
    MAX_NOTE,
    allowed_access,
    consent_to_referral,
    offered_to,
    receiver_filter,
)
from workflows.scope import receives

#: Who may be on the receiving side: reviewers of a team, staff of an organisation.
RECEIVING_ROLES = (r.MEMBER, r.REVIEWER, r.COORDINATOR)
#: The kinds of timeline event the handover writes (shown by `_handover_event.html`).
EVENT_KINDS = ("share_offered", "share_accepted", "share_refused", "share_revoked",
               "share_expired", "transfer")
PURPOSES = {
    "legal_aid": _l("Legal aid"),
    "shelter": _l("Shelter"),
    "embassy": _l("Embassy or consulate"),
    "repatriation": _l("Repatriation"),
    "follow_up": _l("Follow-up"),
}
ACCESS_LABELS = {
    "full": _l("The full case, with the reporter's identity and contact"),
    "no_identity": _l("The case without identifying data (no names, contacts or document "
                      "numbers)"),
}
STATES = {
    "offered": _l("Waiting for an answer"),
    "accepted": _l("Accepted"),
    "refused": _l("Refused"),
    "expired": _l("Expired"),
    "revoked": _l("Revoked"),
}
#: What the reporter answered about referral to partners, in words.
CONSENT_WORDS = {
    "given": _l("The reporter agreed to referral to partners."),
    "declined": _l("The reporter said no to referral to partners."),
    "not_recorded": _l("The reporter was not asked about referral to partners, or did not "
                       "answer."),
}
#: How a refusal is answered (the same as the case page's).
REFUSAL_STATUS = {Refusal.ROLE_NOT_ALLOWED: 403, Refusal.NOT_FROM_THIS_STAGE: 409}

register(NavEntry("cases.shared", _l("Shared with us"), (r.MEMBER, r.REVIEWER)))


class ShareForm(CaseForm):
    to = SelectField(_l("Share with"), validators=[InputRequired()])
    purpose = SelectField(_l("Purpose"), validators=[InputRequired()],
                          choices=options(PURPOSES.items()))
    access = RadioField(_l("What they may see"), validators=[InputRequired()])
    expires = DateField(_l("Shared until"), validators=[InputRequired()])
    note = TextAreaField(_l("Note for the receiving side"),
                         validators=[Optional(), Length(max=MAX_NOTE)])
    submit = SubmitField(_l("Share the case"))


class TransferForm(CaseForm):
    team = SelectField(_l("Transfer to the team"), validators=[InputRequired()])
    note = TextAreaField(_l("Why"), validators=[Optional(), Length(max=MAX_NOTE)])
    submit = SubmitField(_l("Transfer the case"))


class RevokeForm(CaseForm):
    reason = StringField(_l("Reason (optional)"), validators=[Optional(), Length(max=MAX_NOTE)])
    submit = SubmitField(_l("Revoke the share"))


class AnswerForm(CaseForm):
    reason = TextAreaField(_l("Reason (needed to refuse)"),
                           validators=[Optional(), Length(max=MAX_NOTE)])
    accept = SubmitField(_l("Accept"))
    refuse = SubmitField(_l("Refuse"))


# -- the sharing side -------------------------------------------------------------------

def _receivers(case: Mapping[str, Any]) -> list[Any]:
    """Every team but the handling one, then every organisation but the filing one."""
    org_id = (case.get("reporter") or {}).get("org_id")
    teams = [(f"team:{key}", _("Team %(team)s", team=key))
             for key in sorted(case_service().rules.teams) if key != case.get("team")]
    orgs = [(f"org:{o['_id']}", f"{o['name']} ({o.get('country') or '?'})")
            for o in _organisations().values() if o["_id"] != org_id]
    return options([("", _("Choose…")), *teams, *orgs])


def _organisations() -> dict[str, dict[str, Any]]:
    return {o["_id"]: o for o in services().organisations.all()}


def _share_form(case: Mapping[str, Any], given: Any = None) -> ShareForm:
    form = given or ShareForm(prefix="share", formdata=None)
    form.to.choices = _receivers(case)
    allowed = allowed_access(case)
    form.access.choices = options((a, ACCESS_LABELS[a]) for a in allowed)
    if form.access.data is None and len(allowed) == 1:
        form.access.data = allowed[0]
    form.version.data = str(case["version"])
    return form


def _transfer_form(case: Mapping[str, Any], given: Any = None) -> TransferForm:
    form = given or TransferForm(prefix="transfer", formdata=None)
    form.team.choices = options([("", _("Choose…")), *(
        (key, _("Team %(team)s", team=key)) for key in sorted(case_service().rules.teams)
        if key != case.get("team"))])
    form.version.data = str(case["version"])
    return form


def _handling_case(reference: str) -> dict[str, Any]:
    """The case when the user acts on it as its handling team; 404 otherwise."""
    case = case_or_404(reference, g.user)
    if access_to(g.user, case) not in ("all", "handling"):
        abort(404)
    return case


def render_share_page(case: Mapping[str, Any], *, status: int = 200, share: Any = None,
                      transfer: Any = None, error: str | None = None) -> tuple[str, int]:
    consent = consent_to_referral(case)
    return render_template(
        "cases/share.html", case=case, share_form=_share_form(case, share),
        transfer_form=_transfer_form(case, transfer), error=error, consent=consent,
        consent_text=CONSENT_WORDS[consent], identity_allowed=consent == "given"), status


@bp.route("/<reference>/share", methods=["GET", "POST"])
@roles_required(*CASEWORKERS)
def share(reference: str):
    case = _handling_case(reference)
    form = _share_form(case, ShareForm(prefix="share"))
    if not form.is_submitted():
        return render_share_page(case)
    if not form.validate():
        return render_share_page(case, status=400, share=form)
    _check_version(case, form)
    kind, _sep, key = (form.to.data or "").partition(":")
    values = {"kind": kind, "key": key, "purpose": form.purpose.data,
              "access": form.access.data, "expires": form.expires.data.isoformat(),
              "note": form.note.data or ""}
    orgs = {o_id: o.get("country") for o_id, o in _organisations().items()
            if o.get("active", True)}
    try:
        updated = case_service().share(case, actor_of(g.user), values, orgs)
    except TransitionNotAllowed as exc:
        _mark(form, exc, {"to": "to", "access": "access", "purpose": "purpose",
                          "expires": "expires", "note": "note"})
        return render_share_page(case, status=REFUSAL_STATUS.get(exc.reason, 400), share=form,
                                 error=_refusal(exc))
    _audit("case.share_offered", updated, updated["shares"][-1])
    flash(_("The case was shared. They see it once they accept."))
    return redirect(url_for("cases.case", reference=case["reference"]))


@bp.route("/<reference>/transfer", methods=["POST"])
@roles_required(*CASEWORKERS)
def transfer(reference: str):
    case = _handling_case(reference)
    form = _transfer_form(case, TransferForm(prefix="transfer"))
    if not form.validate():
        return render_share_page(case, status=400, transfer=form)
    _check_version(case, form)
    try:
        updated = case_service().transfer(case, actor_of(g.user), form.team.data,
                                          form.note.data or "")
    except TransitionNotAllowed as exc:
        _mark(form, exc, {"team": "team", "note": "note"})
        return render_share_page(case, status=REFUSAL_STATUS.get(exc.reason, 400),
                                 transfer=form, error=_refusal(exc))
    services().audit.record("case.transferred", actor=g.user["_id"], target=case["_id"],
                            reference=case["reference"], from_team=case.get("team"),
                            to_team=updated["team"])
    flash(_("The case was transferred to the team %(team)s. Your team now sees its status "
            "only.", team=updated["team"]))
    if access_to(g.user, updated) in ("all", "handling", "status"):
        return redirect(url_for("cases.case", reference=case["reference"]))
    return redirect(url_for("cases.queue"))


@bp.route("/<reference>/shares/<share_id>/revoke", methods=["POST"])
@roles_required(*CASEWORKERS)
def revoke_share(reference: str, share_id: str):
    case = _handling_case(reference)
    form = RevokeForm(prefix=f"revoke-{share_id}")
    if not form.validate():
        abort(400)
    _check_version(case, form)
    try:
        updated = case_service().revoke_share(case, actor_of(g.user), share_id,
                                              form.reason.data or "")
    except TransitionNotAllowed as exc:
        return render_share_page(case, status=REFUSAL_STATUS.get(exc.reason, 400),
                                 error=_refusal(exc))
    ended = next(s for s in updated["shares"] if s["id"] == share_id)
    _audit("case.share_revoked", updated, ended)
    flash(_("The share was revoked: they no longer see the case."))
    return redirect(url_for("cases.case", reference=case["reference"]))


def handover_context(case: Mapping[str, Any]) -> dict[str, Any]:
    """What the case page shows the handling team about its shares."""
    shares = [s for s in case.get("shares") or () if isinstance(s, Mapping)]
    revoke = {}
    for item in shares:
        if item.get("state") in ("offered", "accepted"):
            form = RevokeForm(prefix=f"revoke-{item['id']}", formdata=None)
            form.version.data = str(case["version"])
            revoke[item["id"]] = form
    return {"handover_shares": shares, "handover_revoke": revoke,
            "handover_labels": labels(), "handover_receivers": receiver_names(shares)}


def labels() -> dict[str, Any]:
    return {"purposes": PURPOSES, "access": ACCESS_LABELS, "states": STATES}


def receiver_names(shares: Any) -> dict[str, str]:
    """A name for each receiver: "Team my-team", or the organisation's name."""
    orgs = _organisations()
    names = {}
    for item in shares:
        to = item.get("to") or {}
        key = to.get("key")
        if to.get("kind") == "org":
            names[f"org:{key}"] = (orgs.get(key) or {}).get("name") or _("an organisation")
        else:
            names[f"team:{key}"] = _("Team %(team)s", team=key)
    return names


# -- the receiving side -----------------------------------------------------------------

@bp.route("/shared")
@roles_required(*RECEIVING_ROLES)
def shared():
    """The shares offered to or accepted by the user's teams or organisation."""
    return _shared_page()


def _shared_page(status: int = 200, error: str | None = None) -> tuple[str, int]:
    actor = actor_of(g.user)
    found = receiver_filter(actor)
    cases = services().cases.with_shares_for(found) if found else []
    now = datetime.now(UTC)
    rows = []
    for case in cases:
        for item in case.get("shares") or ():
            if receives(actor, item) and item.get("state") in ("offered", "accepted"):
                rows.append({"case": case, "share": item,
                             "form": _answer_form(case, item) if item in
                             offered_to(actor, case, now) else None})
    shares = [row["share"] for row in rows]
    return render_template("cases/shared.html", rows=rows, labels=labels(), error=error,
                           stage_labels=STAGE_LABELS, receivers=receiver_names(shares),
                           names=people_names(s.get("offered_by") for s in shares)), status


def _answer_form(case: Mapping[str, Any], item: Mapping[str, Any], given: Any = None) -> Any:
    form = given or AnswerForm(prefix=f"answer-{item['id']}", formdata=None)
    form.version.data = str(case["version"])
    return form


@bp.route("/<reference>/shares/<share_id>/answer", methods=["POST"])
@roles_required(*RECEIVING_ROLES)
def answer_share(reference: str, share_id: str):
    """Accept or refuse a share offered to the user's team or organisation."""
    actor = actor_of(g.user)
    found = receiver_filter(actor)
    case = services().cases.by_reference(reference, within=found) if found else None
    if case is None or not any(s.get("id") == share_id and receives(actor, s)
                               for s in case.get("shares") or ()):
        abort(404)
    form = AnswerForm(prefix=f"answer-{share_id}")
    if not form.validate():
        return _shared_page(400, _("Some information was not accepted."))
    _check_version(case, form, shared_list=True)
    accept = bool(form.accept.data)
    try:
        updated = case_service().decide_share(case, actor, share_id, accept,
                                              form.reason.data or "")
    except TransitionNotAllowed as exc:
        return _shared_page(REFUSAL_STATUS.get(exc.reason, 400), _refusal(exc))
    decided = next(s for s in updated["shares"] if s["id"] == share_id)
    _audit("case.share_accepted" if accept else "case.share_refused", updated, decided)
    if accept:
        flash(_("You accepted the share. The case is below, as the share allows."))
        return redirect(url_for("cases.case", reference=case["reference"]))
    flash(_("You refused the share. The team that offered it is told."))
    return redirect(url_for("cases.shared"))


def shared_case_context(case: Mapping[str, Any], level: str) -> dict[str, Any]:
    """What the case page shows a receiving team or organisation (`level` is its share's
    access, or `status` for a team the case was transferred away from)."""
    actor = actor_of(g.user)
    mine = [s for s in case.get("shares") or ()
            if receives(actor, s) and s.get("state") == "accepted"]
    context: dict[str, Any] = {"level": level, "my_shares": mine, "labels": labels(),
                               "receivers": receiver_names(mine),
                               "follow_up_types": FOLLOW_UP_TYPES,
                               "follow_up_statuses": FOLLOW_UP_STATUSES}
    if level == "status":
        return context
    from app.cases.page import shared_answers  # the case page's answer rendering

    context["answers"] = shared_answers(case, g.user, identity=level == "full")
    return context


# -- helpers ----------------------------------------------------------------------------

def _check_version(case: Mapping[str, Any], form: Any, shared_list: bool = False) -> None:
    expected = int(form.version.data)
    if expected != case["version"]:
        if shared_list:
            abort(409)
        raise StaleVersion(case["_id"], case["stage"], expected)


def _mark(form: Any, exc: TransitionNotAllowed, names: Mapping[str, str]) -> None:
    for name in exc.fields:
        field = getattr(form, names.get(name, ""), None)
        if field is not None:
            field.errors = [*field.errors, _refusal(exc)]


def _refusal(exc: TransitionNotAllowed) -> str:
    """The refusal in the page's language: the core's reason named by its field."""
    by_field = {
        "to": _("Choose another team, or an organisation other than the one that filed the "
                "case, that does not already have it."),
        "purpose": _("Choose what the case is shared for."),
        "access": _("The reporter did not consent to referral to partners, so the case can "
                    "only be shared without identifying data."),
        "expires": _("Give an end date after today and within a year."),
        "note": _("The note is too long."),
        "reason": _("Say why you refuse the share."),
        "team": _("Choose another team than the one handling the case."),
    }
    for name in exc.fields:
        if name in by_field:
            return by_field[name]
    by_reason = {
        Refusal.ROLE_NOT_ALLOWED: _("Your role cannot take this step on this case."),
        Refusal.NOT_FROM_THIS_STAGE: _("This share has already been answered, revoked or has "
                                       "expired."),
    }
    return by_reason.get(exc.reason, _("Some information was not accepted."))


def _audit(action: str, case: Mapping[str, Any], item: Mapping[str, Any]) -> None:
    to = item.get("to") or {}
    services().audit.record(action, actor=g.user["_id"], target=case["_id"],
                            reference=case.get("reference"), share=item.get("id"),
                            to=f"{to.get('kind')}:{to.get('key')}", purpose=item.get("purpose"),
                            access=item.get("access"))
