"""Signing in and out, and who the current user is on every request."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Length

from app.extensions import _client_key as client_key
from app.services import services

bp = Blueprint("auth", __name__, url_prefix="/auth")


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])
    submit = SubmitField(_l("Sign in"))


class LogoutForm(FlaskForm):
    submit = SubmitField(_l("Sign out"))


@bp.before_app_request
def load_user() -> None:
    """Put the signed-in user on `g`; a session from before a password change ends."""
    g.user = None
    user_id = session.get("uid")
    if not user_id:
        return
    user = services().users.get(user_id)
    if user is None or not user.get("active", True) or \
            user.get("auth_version") != session.get("auth_version"):
        session.clear()
        return
    g.user = user


@bp.app_context_processor
def user_context() -> dict:
    """`current_user` is None on error pages raised before the user was loaded."""
    user = g.get("user")
    return {"current_user": user, "logout_form": LogoutForm() if user else None}


def safe_next(target: str | None) -> str:
    """Only same-site paths, so the login form cannot be used to redirect elsewhere."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("main.index")


def failure_message(outcome: str) -> str:
    """One message for every failed sign-in, so the answer never tells whether an account
    exists; a held (client, address) pair is told to wait, which is true for any address."""
    if outcome != "held":
        return _("Wrong e-mail or password.")
    return _("Too many failed attempts for this e-mail address from here. "
             "Wait %(wait)s and try again, or ask an administrator.",
             wait=format_timedelta(backoff_period(), threshold=1))


def backoff_period() -> timedelta:
    return timedelta(seconds=services().settings.login_lockout_seconds)


def check_password(email: str, password: str) -> tuple[dict | None, str]:
    """Check a password for this client, with the back-off of the settings."""
    svc = services()
    return svc.users.authenticate(email, password, client=client_key(),
                                  max_failures=svc.settings.login_max_failures,
                                  backoff=backoff_period())


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        svc = services()
        user, outcome = check_password(form.email.data, form.password.data)
        svc.audit.record(f"login.{'success' if outcome == 'ok' else 'failure'}",
                         actor=user["_id"] if user else None,
                         email=form.email.data.strip().lower()[:254], outcome=outcome)
        if outcome == "ok":
            session.clear()
            session.permanent = True
            session["uid"] = user["_id"]
            session["auth_version"] = user.get("auth_version")
            return redirect(safe_next(request.args.get("next")))
        error = failure_message(outcome)
    status = 200 if not error and not form.errors else 400
    return render_template("auth/login.html", form=form, error=error), status


@bp.route("/logout", methods=["POST"])
def logout():
    form = LogoutForm()
    if form.validate_on_submit() and g.user:
        services().audit.record("logout", actor=g.user["_id"])
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You are signed out."))
    return redirect(url_for("main.index"))
