"""The signed-in user's own page: password and API tokens."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from app.auth import check_password, failure_message
from app.roles import login_required
from app.services import services
from app.stores import AccountError
from app.wtforms_messages import Translated
from workflows.digests import frequency_of

bp = Blueprint("account", __name__, url_prefix="/account")


class TokenForm(Translated, FlaskForm):
    label = StringField(_l("Token name"), validators=[DataRequired(), Length(max=80)])
    submit = SubmitField(_l("Create token"))


class RevokeForm(FlaskForm):
    token_id = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Revoke"))


class PasswordForm(Translated, FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=10, max=1024)])
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("new")])
    submit = SubmitField(_l("Change password"))


class DigestForm(FlaskForm):
    frequency = SelectField(_l("E-mail digest of new cases and notifications"),
                            choices=[SelectChoice("never", _l("Never")),
                                     SelectChoice("hourly", _l("Every hour")),
                                     SelectChoice("daily", _l("Once a day"))],
                            validate_choice=True)
    submit = SubmitField(_l("Save"))


def _digest_form() -> DigestForm:
    form = DigestForm(prefix="digest")
    if not form.is_submitted():
        form.frequency.data = frequency_of(g.user)
    return form


def _page(new_token: str | None = None, status: int = 200, **forms):
    svc = services()
    forms.setdefault("digest_form", _digest_form())
    forms.setdefault("token_form", TokenForm(prefix="token"))
    forms.setdefault("password_form", PasswordForm(prefix="pw"))
    return render_template(
        "account/index.html", tokens=svc.tokens.for_user(g.user["_id"]),
        revoke_form=RevokeForm(prefix="revoke"), new_token=new_token,
        organisation=svc.organisations.get(g.user.get("org_id") or ""), **forms,
    ), status


@bp.route("/")
@login_required
def index():
    return _page()


@bp.route("/tokens", methods=["POST"])
@login_required
def create_token():
    form = TokenForm(prefix="token")
    if not form.validate_on_submit():
        return _page(status=400, token_form=form)
    svc = services()
    record, token = svc.tokens.create(g.user["_id"], form.label.data)
    svc.audit.record("api_token.create", actor=g.user["_id"], target=record["_id"],
                     label=record["label"])
    return _page(new_token=token)


@bp.route("/tokens/revoke", methods=["POST"])
@login_required
def revoke_token():
    form = RevokeForm(prefix="revoke")
    svc = services()
    if form.validate_on_submit() and svc.tokens.revoke(g.user["_id"], form.token_id.data):
        svc.audit.record("api_token.revoke", actor=g.user["_id"], target=form.token_id.data)
        flash(_("The token was revoked."))
    else:
        flash(_("That token was already revoked or does not exist."))
    return redirect(url_for("account.index"))


@bp.route("/password", methods=["POST"])
@login_required
def change_password():
    form = PasswordForm(prefix="pw")
    svc = services()
    if not form.validate_on_submit():
        return _page(status=400, password_form=form)
    _user, outcome = check_password(g.user["email"], form.current.data)
    if outcome != "ok":
        form.current.errors.append(failure_message(outcome) if outcome == "held"
                                   else _("That is not your current password."))
        return _page(status=400, password_form=form)
    try:
        revoked = svc.users.set_password(g.user["_id"], form.new.data)
    except AccountError as exc:
        form.new.errors.append(str(exc))
        return _page(status=400, password_form=form)
    svc.audit.record("user.password_change", actor=g.user["_id"], target=g.user["_id"],
                     tokens_revoked=revoked)
    session["auth_version"] = g.user.get("auth_version", 1) + 1
    flash(_("Your password was changed."))
    if revoked:
        flash(_("Your API tokens were revoked with the old password; "
                "create new ones where you need them."))
    return redirect(url_for("account.index"))


@bp.route("/digest", methods=["POST"])
@login_required
def set_digest():
    """How often the person is mailed a digest; the e-mail never says anything about a case."""
    form = DigestForm(prefix="digest")
    if not form.validate_on_submit():
        return _page(status=400, digest_form=form)
    svc = services()
    before = svc.users.set_digest(g.user["_id"], form.frequency.data)
    svc.audit.record("user.digest_change", actor=g.user["_id"], target=g.user["_id"],
                     digest=form.frequency.data, previous=before)
    flash(_("Your e-mail digest setting was saved."))
    return redirect(url_for("account.index"))
