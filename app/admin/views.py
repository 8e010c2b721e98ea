"""Administration: users, organisations and the audit log."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app import roles as r
from app.audit.display import People, detail_lines
from app.public.support import forbid_caching
from app.roles import roles_required
from app.services import services
from app.stores import AccountError
from app.wtforms_messages import Translated

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.after_request(forbid_caching)  # the audit log names cases, files and people

#: Kinds of organisation, in words (the key is what is stored).
ORGANISATION_KINDS = {"member": _l("member organisation"), "secretariat": _l("secretariat")}


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserForm(Translated, FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    roles = CheckboxesField(_l("Roles"), choices=[
        SelectChoice(role, r.ROLE_LABELS[role]) for role in r.ROLES], validators=[DataRequired()])
    org_id = SelectField(_l("Organisation"), choices=[], validate_choice=True)
    countries = StringField(_l("Countries (two-letter codes, comma separated)"),
                            validators=[Optional(), Length(max=200)])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(),
                                                                 Length(min=10, max=1024)])
    submit = SubmitField(_l("Create user"))


class OrganisationForm(Translated, FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    country = StringField(_l("Country (two-letter code)"), validators=[DataRequired(),
                                                                        Length(min=2, max=2)])
    submit = SubmitField(_l("Create organisation"))


class ActiveForm(FlaskForm):
    user_id = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Change"))


class BackoffForm(FlaskForm):
    user_id = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Clear failed sign-ins"))


def _user_form() -> UserForm:
    form = UserForm(prefix="user")
    form.org_id.choices = [SelectChoice("", _("— none —"))] + [
        SelectChoice(o["_id"], f"{o['name']} ({o['country']})")
        for o in services().organisations.all()
    ]
    return form


def _countries(text: str | None) -> list[str]:
    codes = [c.strip().upper() for c in (text or "").split(",") if c.strip()]
    bad = [c for c in codes if len(c) != 2 or not c.isalpha()]
    if bad:
        raise AccountError(_("Not a two-letter country code: %(codes)s", codes=", ".join(bad)))
    return codes


@bp.route("/users", methods=["GET", "POST"])
@roles_required(r.ADMIN)
def users():
    svc = services()
    form = _user_form()
    status = 200
    if form.validate_on_submit():
        try:
            user = svc.users.create(form.email.data, form.password.data, form.roles.data,
                                    name=form.name.data or "", org_id=form.org_id.data or None,
                                    countries=_countries(form.countries.data))
        except AccountError as exc:
            form.email.errors.append(str(exc))
            status = 400
        else:
            svc.audit.record("user.create", actor=g.user["_id"], target=user["_id"],
                             email=user["email"], roles=user["roles"])
            flash(_("User %(email)s was created.", email=user["email"]))
            return redirect(url_for("admin.users"))
    elif form.is_submitted():
        status = 400
    return render_template("admin/users.html", form=form, users=svc.users.all(),
                           active_form=ActiveForm(prefix="active"),
                           backoff_form=BackoffForm(prefix="backoff"), status=status), status


@bp.route("/users/active", methods=["POST"])
@roles_required(r.ADMIN)
def toggle_active():
    form = ActiveForm(prefix="active")
    svc = services()
    user = svc.users.get(form.user_id.data) if form.validate_on_submit() else None
    if user is None:
        flash(_("No such user."))
        return redirect(url_for("admin.users"))
    if user["_id"] == g.user["_id"]:
        flash(_("You cannot deactivate your own account."))
        return redirect(url_for("admin.users"))
    active = not user.get("active", True)
    revoked = svc.users.set_active(user["_id"], active)
    svc.audit.record("user.activate" if active else "user.deactivate", actor=g.user["_id"],
                     target=user["_id"], **({} if active else {"tokens_revoked": revoked}))
    return redirect(url_for("admin.users"))


@bp.route("/users/backoff", methods=["POST"])
@roles_required(r.ADMIN)
def clear_backoff():
    """The way back for an owner held off with their attacker (a shared address)."""
    form = BackoffForm(prefix="backoff")
    svc = services()
    cleared = svc.users.clear_backoff(form.user_id.data) if form.validate_on_submit() else None
    if cleared is None:
        flash(_("No such user."))
        return redirect(url_for("admin.users"))
    svc.audit.record("user.backoff_clear", actor=g.user["_id"], target=form.user_id.data,
                     cleared=cleared)
    flash(_("Failed sign-ins of this user were cleared: they can sign in from anywhere."))
    return redirect(url_for("admin.users"))


@bp.route("/organisations", methods=["GET", "POST"])
@roles_required(r.ADMIN)
def organisations():
    svc = services()
    form = OrganisationForm(prefix="org")
    status = 200
    if form.validate_on_submit():
        try:
            org = svc.organisations.create(form.name.data, form.country.data)
        except AccountError as exc:
            form.name.errors.append(str(exc))
            status = 400
        else:
            svc.audit.record("organisation.create", actor=g.user["_id"], target=org["_id"],
                             name=org["name"], country=org["country"])
            return redirect(url_for("admin.organisations"))
    elif form.is_submitted():
        status = 400
    return render_template("admin/organisations.html", form=form,
                           organisations=svc.organisations.all(),
                           kinds=ORGANISATION_KINDS), status


@bp.route("/audit")
@roles_required(r.ADMIN, r.COORDINATOR)
def audit():
    svc = services()
    events = svc.audit.recent(200)
    return render_template("admin/audit.html", events=events, report=svc.audit.verify(),
                           people=People.of(events, svc.users.emails_for),
                           detail_lines=detail_lines)


# The modules whose routes are on this blueprint.
from app.admin import priority_rules, routing, translations  # noqa: E402, F401
