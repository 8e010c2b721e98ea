"""Routing pages: teams and their countries, the fallback team, the priority rules and
the history of routing versions, for administrators and coordinators.

Each change is one new routing version (`workflows.routing_store`), made from the
version the page showed (its number travels in the form): the whole configuration is
checked and every problem shown at once, nothing is saved half-way, and of two people
saving at once one gets a conflict. Each saved version is audited, in force everywhere
within `MRVRS_ROUTING_REFRESH_SECONDS`, and moves the fallback team's open cases of any
country it gives a team (`reroute_fallback`). Accepting the fallback team for a country
no team covers is an administrator's decision.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import yaml
from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import HiddenField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app import roles as r
from app.admin.views import bp
from app.navigation import NavEntry, register
from app.roles import roles_required
from app.services import services
from forms.countries import country_codes
from forms.loader import load_yaml
from workflows import routing_edits as edits
from workflows.assembly import reroute_sender
from workflows.errors import Problem, RoutingRulesError
from workflows.routing import TEAM_KEY
from workflows.routing_store import MAX_NOTE, SEED_IMPORT, RoutingConflict
from workflows.workflow_config import PACKAGED, read_seed

log = logging.getLogger("mrvrs.admin.routing")

ROUTING_ROLES = (r.ADMIN, r.COORDINATOR)
register(NavEntry("admin.routing", _l("Routing"), ROUTING_ROLES), before="admin.audit")

#: The loader's problem codes in words; the path says which team or rule.
PROBLEM_TEXT = {
    "wrong_type": _l("This part of the routing has the wrong shape."),
    "unknown_key": _l("This key is not part of routing (a misspelling?)."),
    "bad_name": _l("Not a valid name: team keys use lower-case letters, digits and -; "
                   "rule ids use lower-case letters, digits and _."),
    "bad_country": _l("Not a two-letter ISO country code such as MY."),
    "duplicate_country": _l("A country belongs to one team only; remove it from the other "
                            "team first."),
    "unknown_team": _l("The fallback team must be one of the teams."),
    "duplicate_rule": _l("Two priority rules have the same id."),
    "unknown_priority": _l("The priority must be normal or urgent."),
    "bad_condition": _l("A rule needs exactly one condition: flags, mwc, or dimension with "
                        "values."),
    "unknown_value": _l("A rule names a flag or value that no form can store."),
    "unknown_dimension": _l("A rule names a dimension that is not a standard dimension."),
    "bad_article": _l("Not an MWC article of the taxonomy."),
    "bad_window": _l("The duplicate window must be a whole number of days from 1 to 3650."),
    "team_exists": _l("A team with this key exists already."),
    "no_team": _l("There is no such team; it may have been removed meanwhile."),
    "covered_country": _l("A team covers this country, so the secretariat need not be "
                          "accepted for it."),
    "no_rule": _l("There is no such priority rule; it may have been removed meanwhile."),
}


class BaseForm(FlaskForm):
    base_version = HiddenField(validators=[DataRequired()])
    note = StringField(_l("Why (shown in the history)"),
                       validators=[Optional(), Length(max=MAX_NOTE)])


class TeamForm(BaseForm):
    key = StringField(_l("Team key (lower-case letters, digits and -, e.g. vn-team)"),
                      validators=[DataRequired(), Length(max=40)])
    countries = StringField(_l("Countries (two-letter codes, comma separated)"),
                            validators=[Optional(), Length(max=400)])
    submit = SubmitField(_l("Add team"))


class CountriesForm(BaseForm):
    team = HiddenField(validators=[DataRequired()])
    countries = StringField(_l("Countries"), validators=[Optional(), Length(max=400)])
    submit = SubmitField(_l("Save countries"))


class CountryForm(BaseForm):
    """One country of one team (remove), or one uncovered country (accept, withdraw)."""

    team = HiddenField()
    country = StringField(_l("Country (two-letter code)"),
                          validators=[DataRequired(), Length(max=2)])
    submit = SubmitField(_l("Save"))


class RulesForm(BaseForm):
    rules = TextAreaField(_l("Priority rules (YAML)"), validators=[Length(max=20_000)])
    window = IntegerField(_l("Duplicate window (days)"), validators=[DataRequired()])
    submit = SubmitField(_l("Save rules"))


def current_routing() -> tuple[int, dict[str, Any]]:
    """The number and configuration of the version in force (0: the seed file)."""
    svc = services()
    doc = svc.routing_store.latest()
    if doc is not None:
        return doc["_id"], doc["config"]
    return 0, dict(read_seed(svc.settings.routing_file or PACKAGED / "routing.yaml"))


def parse_countries(text: str | None) -> tuple[list[str], list[str]]:
    """Codes from "MY, sg th", and the problems with them in words."""
    codes = [c.strip().upper() for c in (text or "").replace(";", ",").replace(" ", ",")
             .split(",") if c.strip()]
    known = country_codes()
    bad = [c for c in codes if c not in known]
    problems = [_("%(codes)s: not a two-letter ISO country code such as MY.",
                  codes=", ".join(bad))] if bad else []
    return list(dict.fromkeys(c for c in codes if c in known)), problems


def problem_lines(error: RoutingRulesError) -> list[str]:
    """Every problem of a refused version, in the page's language, with where it is."""
    lines = []
    for problem in error.problems:
        text = PROBLEM_TEXT.get(problem.code)
        words = str(text) if text is not None else problem.message
        lines.append(f"{problem.path}: {words}" if problem.path else words)
    return lines


def save_version(config: Mapping[str, Any], expected: int, note: str) -> dict[str, Any]:
    """Store, audit and put in force a new version, then re-route what it covers.

    :raise RoutingRulesError, RoutingConflict: nothing was saved.
    """
    svc = services()
    actor = g.user["_id"]
    if expected == 0 and svc.routing_store.latest_number() == 0:
        svc.seed_routing()  # a database that missed `db init`: keep the seed as version 1
        expected = svc.routing_store.latest_number()
    version = svc.routing_store.save(config, expected=expected, actor=actor, note=note)
    svc.routing.invalidate()
    svc.audit.record("routing.save", actor=actor, target=f"routing:{version['_id']}",
                     version=version["_id"], note=version["note"],
                     changes=[change_code(c) for c in version["changes"]])
    try:
        reroute_sender(svc.celery)(version["_id"])
    except Exception:  # broker away: the version is saved; say so in the log
        log.exception("re-routing after routing version %s was not queued", version["_id"])
    return version


def change_code(change: Mapping[str, Any]) -> str:
    """`country_added:vn-team:VN`: a change as one short code for the audit log."""
    parts = [change.get(k) for k in ("team", "country", "rule", "from", "to") if k in change]
    return ":".join(str(p) for p in [change["kind"], *parts] if p is not None)


def _expected(form: BaseForm) -> int | None:
    try:
        return int(form.base_version.data)
    except (TypeError, ValueError):
        return None


def _change(form: BaseForm, make: Callable[[dict[str, Any]], dict[str, Any]],
            problems: list[str], done: str, page: Callable[..., Any] | None = None,
            back: str = "admin.routing"):
    """Apply `make` to the version the form was made on, save it, or show why not.

    `page(errors, status, refused=form)` shows the refusal (the teams page unless given),
    keeping what the person typed; `back` is the endpoint to return to once saved.
    """
    page = page or _index
    expected = _expected(form)
    if not form.validate_on_submit() or expected is None:
        problems = [*problems, *[str(e) for errors in form.errors.values() for e in errors]]
        return page(problems or [_("The form was incomplete; nothing was saved.")], 400,
                    refused=form)
    if problems:
        return page(problems, 400, refused=form)
    number, config = current_routing()
    if number != expected:
        return _conflict(number, page)
    try:
        version = save_version(make(config), expected, form.note.data or "")
    except RoutingRulesError as error:
        return page(problem_lines(error), 400, refused=form)
    except RoutingConflict as conflict:
        return _conflict(conflict.current, page)
    flash(_("%(change)s Routing version %(version)s is saved and in force within "
            "%(seconds)s seconds.", change=done, version=version["_id"],
            seconds=services().settings.routing_refresh_seconds))
    return redirect(url_for(back))


def _conflict(current: int, page: Callable[..., Any]):
    return page([_conflict_message(current)], 409)


def _conflict_message(current: int) -> str:
    return _("Someone else saved routing version %(version)s while you were editing, so "
             "nothing was saved. The page now shows their version: make your change again.",
             version=current)


def _forms(number: int, refused: FlaskForm | None = None) -> dict[str, Any]:
    """Fresh forms for version `number`, but the refused one as it was posted, so that
    the person corrects what they typed instead of typing it again."""
    base = {"base_version": str(number)}
    return {"team_form": refused if isinstance(refused, TeamForm)
            else TeamForm(prefix="team", formdata=None, data=base),
            "countries_form": CountriesForm(prefix="countries", formdata=None, data=base),
            "country_form": CountryForm(prefix="country", formdata=None, data=base),
            "refused_countries": refused if isinstance(refused, CountriesForm) else None}


def _index(errors: list[str] | None = None, status: int = 200,
           refused: FlaskForm | None = None):
    number, config = current_routing()
    svc = services()
    latest = svc.routing_store.get(number) if number else None
    accepted = sorted(config.get("fallback_accepted") or ())
    teams = {key: sorted((spec or {}).get("countries") or ())
             for key, spec in (config.get("teams") or {}).items()}
    covered = {c for codes in teams.values() for c in codes}
    unpublishable = sorted({rec.get("country") for rec in svc.forms.list_latest()
                            if rec.get("country") and rec["country"] not in covered
                            and rec["country"] not in accepted})
    return render_template("admin/routing.html", number=number, latest=latest, teams=teams,
                           fallback=config.get("fallback_team"), accepted=accepted,
                           uncovered_forms=unpublishable, errors=errors or [],
                           may_accept=r.has_role(g.user, r.ADMIN),
                           **_forms(number, refused)), status


@bp.route("/routing")
@roles_required(*ROUTING_ROLES)
def routing():
    return _index()


@bp.route("/routing/teams", methods=["POST"])
@roles_required(*ROUTING_ROLES)
def routing_add_team():
    form = TeamForm(prefix="team")
    key = (form.key.data or "").strip()
    countries, problems = parse_countries(form.countries.data)
    if key and not TEAM_KEY.match(key):
        problems.append(_("%(key)s: a team key uses lower-case letters, digits and -, and "
                          "starts with a letter.", key=key))

    def make(config: dict[str, Any]) -> dict[str, Any]:
        if key in (config.get("teams") or {}):
            raise RoutingRulesError([_problem("team_exists", f"teams.{key}")])
        return edits.add_team(config, key, countries)

    return _change(form, make, problems, _("The team %(team)s was added.", team=key))


@bp.route("/routing/countries", methods=["POST"])
@roles_required(*ROUTING_ROLES)
def routing_set_countries():
    form = CountriesForm(prefix="countries")
    team = form.team.data or ""
    countries, problems = parse_countries(form.countries.data)
    return _change(form, _on_team(team, lambda c: edits.set_countries(c, team, countries)),
                   problems, _("The countries of %(team)s were changed.", team=team))


@bp.route("/routing/remove-country", methods=["POST"])
@roles_required(*ROUTING_ROLES)
def routing_remove_country():
    form = CountryForm(prefix="country")
    team, country = form.team.data or "", (form.country.data or "").upper()
    return _change(form, _on_team(team, lambda c: edits.remove_country(c, team, country)), [],
                   _("%(country)s was removed from %(team)s.", country=country, team=team))


@bp.route("/routing/accept", methods=["POST"])
@roles_required(r.ADMIN)
def routing_accept_fallback():
    """An administrator accepts that the fallback team takes a country's cases."""
    form = CountryForm(prefix="country")
    countries, problems = parse_countries(form.country.data)
    country = countries[0] if countries else ""
    return _change(form, lambda c: edits.accept_fallback(c, country), problems,
                   _("The secretariat now takes the cases of %(country)s.", country=country))


@bp.route("/routing/withdraw", methods=["POST"])
@roles_required(r.ADMIN)
def routing_withdraw_fallback():
    form = CountryForm(prefix="country")
    country = (form.country.data or "").upper()
    return _change(form, lambda c: edits.withdraw_fallback(c, country), [],
                   _("The acceptance for %(country)s was withdrawn.", country=country))


def _on_team(team: str, make: Callable[[dict[str, Any]], dict[str, Any]]):
    def checked(config: dict[str, Any]) -> dict[str, Any]:
        if team not in (config.get("teams") or {}):
            raise RoutingRulesError([_problem("no_team", f"teams.{team}")])
        return make(config)

    return checked


def _problem(code: str, path: str) -> Problem:
    return Problem(code, path, str(PROBLEM_TEXT[code]))


@bp.route("/routing/rules", methods=["GET", "POST"])
@roles_required(*ROUTING_ROLES)
def routing_rules():
    number, config = current_routing()
    if request.method == "GET":
        return render_template("admin/routing_rules.html", form=_rules_form(number, config),
                               number=number, errors=[]), 200
    return _save_rules(RulesForm(prefix="rules"), number)


def _rules_form(number: int, config: Mapping[str, Any]) -> RulesForm:
    """The YAML form filled with the rules of routing version `number`."""
    form = RulesForm(prefix="rules", formdata=None)
    form.base_version.data = str(number)
    form.rules.data = yaml.safe_dump(config.get("priority_rules") or [], sort_keys=False,
                                     allow_unicode=True)
    form.window.data = config.get("duplicate_window_days")
    return form


def _rules_conflict(unsaved: str):
    """Someone saved meanwhile: show their rules, as the other routing pages do, and keep
    the expert's own text beside them to copy from, since YAML is long to type again."""
    number, config = current_routing()
    return render_template("admin/routing_rules.html", form=_rules_form(number, config),
                           number=number, errors=[_conflict_message(number)],
                           unsaved=unsaved), 409


def _save_rules(form: RulesForm, number: int):
    errors: list[str] = []
    rules: Any = []
    try:
        rules = load_yaml(form.rules.data or "[]", "priority_rules") or []
    except ValueError as exc:
        errors.append(_("The rules are not valid YAML: %(detail)s", detail=str(exc)))
    if not isinstance(rules, list):
        errors.append(_("The rules must be a list, each item starting with “- id:”."))
    expected = _expected(form)
    if not form.validate_on_submit() or expected is None:
        errors += [str(e) for field_errors in form.errors.values() for e in field_errors]
    status = 400
    if not errors:
        try:
            if expected != number:
                raise RoutingConflict(expected or 0, number)
            _number, config = current_routing()
            version = save_version(edits.set_rules(config, rules, form.window.data), number,
                                   form.note.data or "")
        except RoutingRulesError as error:
            errors = problem_lines(error)
        except RoutingConflict:
            return _rules_conflict(form.rules.data or "")
        else:
            flash(_("The priority rules were changed. Routing version %(version)s is saved "
                    "and in force within %(seconds)s seconds.", version=version["_id"],
                    seconds=services().settings.routing_refresh_seconds))
            return redirect(url_for("admin.routing_rules"))
    return render_template("admin/routing_rules.html", form=form, number=number,
                           errors=errors), status


#: The kinds of change in words, for the history.
CHANGE_TEXT = {
    "team_added": _l("added the team %(team)s (%(countries)s)"),
    "team_removed": _l("removed the team %(team)s"),
    "country_added": _l("gave %(country)s to %(team)s"),
    "country_removed": _l("took %(country)s from %(team)s"),
    "fallback_team": _l("made %(to)s the fallback team"),
    "fallback_accepted": _l("accepted the secretariat for %(country)s"),
    "fallback_withdrawn": _l("withdrew the acceptance of the secretariat for %(country)s"),
    "rule_added": _l("added the priority rule %(rule)s"),
    "rule_removed": _l("removed the priority rule %(rule)s"),
    "rule_changed": _l("changed the priority rule %(rule)s"),
    "duplicate_window": _l("set the duplicate window to %(to)s days"),
}


#: Values of a change that are keys (a team, a rule id), shown as code.
KEY_VALUES = frozenset({"team", "rule"})


def change_text(change: Mapping[str, Any]) -> Markup:
    """A change in words, its team keys and rule ids in <code>."""
    text = CHANGE_TEXT.get(change.get("kind", ""))
    if text is None:
        return escape(change_code(change))
    values: dict[str, Any] = {k: (", ".join(v) if isinstance(v, list) else v)
                              for k, v in change.items()}
    values.setdefault("countries", "")
    for key, value in values.items():
        if key in KEY_VALUES or (key == "to" and change.get("kind") == "fallback_team"):
            values[key] = Markup("<code>%s</code>") % value
    return escape(str(text)) % values


#: The reasons the system gives for a version, by `note_code`.
NOTE_TEXT = {SEED_IMPORT: _l("Imported from the routing seed file.")}
#: Notes stored as English text before the system's reasons became codes.
LEGACY_NOTES = {"Imported from the routing seed file.": SEED_IMPORT}


def note_text(version: Mapping[str, Any]) -> str:
    """Why a version was made: the system's reason in the reader's language, else what
    the person who saved it typed, as typed."""
    note = version.get("note") or ""
    code = version.get("note_code") or LEGACY_NOTES.get(note.strip())
    return str(NOTE_TEXT[code]) if code in NOTE_TEXT else note


@bp.route("/routing/history")
@roles_required(*ROUTING_ROLES)
def routing_history():
    from app.audit.display import People

    versions = services().routing_store.history()
    people = People.of([{"actor": v.get("by")} for v in versions],
                       services().users.emails_for)
    return render_template("admin/routing_history.html", versions=versions, people=people,
                           change_text=change_text, note_text=note_text)
