"""The status page (reference + private code) and a signed-in reporter's own reports.

Registered on the intake blueprint by `app.public.questionnaire`. The status answer is
the stage in plain words in the language the case was filed in; reviewer notes,
answers and events are never shown here.
"""

from __future__ import annotations

from flask import g, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from app import roles as r
from app.public.support import PublicForm, no_store, public, ui_locale
from app.public.text import stage_text
from app.roles import roles_required
from app.services import services
from forms.schema import text_direction
from workflows.intake import reports_of


class StatusForm(PublicForm):
    reference = StringField(_l("Case reference"), validators=[DataRequired(), Length(max=40)],
                            render_kw={"autocomplete": "off", "spellcheck": "false"})
    code = StringField(_l("Private tracking code"), validators=[DataRequired(), Length(max=60)],
                       render_kw={"autocomplete": "off", "spellcheck": "false"})
    submit = SubmitField(_l("Check the status"))


def status_of(case: dict) -> dict:
    """The stage in the filing language, and in the page language when that differs."""
    with force_locale(ui_locale(case.get("language", ""))):
        name, description = stage_text(case["stage"])
    here_name, here_description = stage_text(case["stage"])
    return {"reference": case["reference"], "stage": case["stage"],
            "language": case.get("language"), "dir": text_direction(case.get("language") or "en"),
            "name": name, "description": description,
            "here": None if here_description == description else (here_name, here_description),
            "received": case["created_at"].date().isoformat()}


@public
def check_status():
    form = StatusForm()
    result, not_found = None, False
    if form.validate_on_submit():
        case = services().cases.by_tracking(form.reference.data, form.code.data)
        if case is None:
            not_found = True
        else:
            result = status_of(case)
    status = 400 if form.errors else 404 if not_found else 200
    page = render_template("intake/status.html", form=form, result=result, not_found=not_found)
    return no_store(page, status)


@roles_required(r.REPORTER, r.MEMBER)
def my_reports():
    user = g.user
    org_id = user.get("org_id") if r.has_role(user, r.MEMBER) else None
    cases = reports_of(services().cases, user["_id"], org_id)
    for case in cases:
        case["stage_name"] = stage_text(case["stage"])[0]
        case["mine"] = (case.get("reporter") or {}).get("user_id") == user["_id"]
    return render_template("intake/my_reports.html", cases=cases, with_org=bool(org_id))


def register(bp) -> None:
    bp.add_url_rule("/status", "check_status", check_status, methods=["GET", "POST"])
    bp.add_url_rule("/my-reports", "my_reports", my_reports)
