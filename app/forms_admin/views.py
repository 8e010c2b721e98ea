"""Form editing for national members: the published forms, their versions, and
an editor that checks, previews in each language, saves drafts and publishes.

Works without JavaScript: every action is a button of one form posting the text.
A form editor edits only the forms of their countries; coordinators edit all.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import TextAreaField

from app import roles as r
from app.forms_admin.editing import (
    Posted,
    compile_posted,
    language_names,
    may_edit,
    posted_text,
    preview_form,
    require_edit,
    written_form,
)
from app.forms_admin.problem_text import problem_detail
from app.navigation import NavEntry, register
from app.roles import roles_required
from app.services import services
from app.wtforms_messages import Translated
from forms.compiler import CompileResult

bp = Blueprint("forms_admin", __name__, url_prefix="/forms")
#: `{{ problem|problem_detail }}`: the checker's sentence in the editor's language.
bp.add_app_template_filter(problem_detail, "problem_detail")
EDITORS = (r.FORM_EDITOR, r.COORDINATOR)
ACTIONS = ("check", "preview", "save", "publish", "submit")
register(NavEntry("forms_admin.index", _l("Forms"), EDITORS))

STARTER = "form: \nextends: mwc-base\ncountry: {country}\nlanguages: [en]\ntitle: {{en: \"\"}}\n"


class EditorForm(Translated, FlaskForm):
    source = TextAreaField(_l("Form definition (YAML)"))
    upload = FileField(_l("Or upload a YAML file instead of the text above"))


@bp.route("/")
@roles_required(*EDITORS)
def index():
    store = services().forms
    records = store.list_latest()
    editable = {rec["form_id"] for rec in records if may_edit(g.user, rec.get("country"))}
    return render_template("forms_admin/index.html", records=records, editable=editable,
                           drafts=editable_drafts(store, records))


def editable_drafts(store, records: list[dict]) -> list[dict]:
    """The saved drafts this user may edit, each with its country and the version it
    would replace (None: never published), so that a form imported or started but not
    yet published is found again from the forms list."""
    published = {rec["form_id"]: rec for rec in records}
    rows = []
    for draft in store.list_drafts():
        latest = published.get(draft["_id"])
        country = latest.get("country") if latest else \
            written_form(Posted(draft["text"], draft["_id"]))[1]
        if may_edit(g.user, country):
            rows.append({"form_id": draft["_id"], "country": country,
                         "saved_at": draft["saved_at"],
                         "version": latest["version"] if latest else None})
    return rows


@bp.route("/<form_id>")
@roles_required(*EDITORS)
def versions(form_id: str):
    return render_versions(form_id)


def render_versions(form_id: str, error: str | None = None) -> str:
    """The versions page, with the submission waiting for approval and its state."""
    store = services().forms
    found = store.versions(form_id)
    draft = store.draft(form_id)
    submission = services().approvals.get(form_id)
    if not found and draft is None and submission is None:
        abort(404)
    if found:
        country = found[-1].get("country")
    elif draft is not None:
        country = written_form(Posted(draft["text"], form_id))[1]
    else:
        country = submission.get("country")
    ids = [submission.get(k) for k in ("submitted_by", "decided_by")] if submission else []
    return render_template("forms_admin/versions.html", form_id=form_id, versions=found,
                           draft=draft, editable=may_edit(g.user, country),
                           submission=submission, country=country,
                           approval_required=services().approvals.required(country),
                           decision=ReturnForm(), error=error,
                           may_decide=approval.may_decide(g.user, submission),
                           changes=approval.submission_changes(submission, found),
                           emails=services().users.emails_for([i for i in ids if i]))


@bp.route("/<form_id>/<int:version>")
@roles_required(*EDITORS)
def show_version(form_id: str, version: int):
    """One published version, readable forever: its preview and its source."""
    store = services().forms
    record = store.get(form_id, version)
    if record is None:
        abort(404)
    preview = preview_form(store.definition(form_id, version), request.args.get("lang"))
    return render_template("forms_admin/version.html", record=record, preview=preview,
                           editable=may_edit(g.user, record.get("country")),
                           language_names=language_names(record["languages"]))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def new():
    return _editor(None)


@bp.route("/<form_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit(form_id: str):
    return _editor(form_id)


def _owners(form_id: str | None) -> list[str | None]:
    """The country a form belongs to: its latest version's, else its draft's."""
    store = services().forms
    latest = store.latest(form_id) if form_id else None
    if latest is not None:
        return [latest.get("country")]
    draft = store.draft(form_id) if form_id else None
    return [written_form(Posted(draft["text"], form_id or ""))[1]] if draft else []


def _editor(form_id: str | None):
    store = services().forms
    owners = _owners(form_id)
    if form_id and not owners:
        abort(404)
    require_edit(g.user, *owners)
    latest = store.latest(form_id) if form_id else None
    draft = store.draft(form_id) if form_id else None
    editor = EditorForm()
    if request.method == "GET":
        countries = g.user.get("countries") or [""]
        editor.source.data = (draft or {}).get("text") or (latest or {}).get("source") or \
            STARTER.format(country=countries[0])
        return _page(editor, form_id, draft=draft)
    if not editor.validate_on_submit():
        abort(400)
    posted = posted_text(editor.source.data, editor.upload.data, form_id)
    editor.source.data = posted.text  # an uploaded file replaces the text, and stays shown
    return _act(editor, form_id, posted)


def _action() -> tuple[str, str | None]:
    """("preview", "ar") from a language button "preview:ar"; unknown actions check."""
    action, _sep, lang = request.form.get("action", "check").partition(":")
    return (action if action in ACTIONS else "check"), (lang or None)


def _act(editor: EditorForm, form_id: str | None, posted: Posted):
    action, lang = _action()
    written_id, written_country = written_form(posted)
    if form_id and written_id and written_id != form_id:
        return _page(editor, form_id, status=400, errors=[_(
            "This text is the form %(written)s, but this page edits %(form)s. Change the id "
            "back, or use “New form” to start another form.", written=written_id,
            form=form_id)])
    store = services().forms
    target = written_id or form_id
    result = None if posted.errors else compile_posted(posted, store.library_sources())
    compiled = result is not None and result.ok
    country = result.unwrap().country if compiled else written_country
    countries = _owners(target)
    if compiled or country or action in ("save", "publish", "submit"):
        countries.append(country)
    require_edit(g.user, *countries)
    if action == "save":
        return _save(editor, form_id, target, posted, result)
    if action == "publish" and compiled:
        return publishing.publish(editor, form_id, posted, result)
    if action == "submit" and compiled:
        return publishing.submit(editor, form_id, posted, result)
    preview = preview_form(result.unwrap(), lang) if action == "preview" and compiled else None
    return _page(editor, form_id, result=result, errors=posted.errors, preview=preview,
                 origin=posted.origin, status=400 if action in ("publish", "submit") else 200)


def _save(editor: EditorForm, form_id: str | None, target: str | None, posted: Posted,
          result: CompileResult | None):
    if not target:
        return _page(editor, form_id, result=result, status=400, errors=[
            _("Write the form's id (the line “form: …”) before saving a draft.")])
    services().forms.save_draft(target, posted.text, g.user["_id"])
    flash(_("The draft of %(form)s was saved. It is not published yet.", form=target))
    return _page(editor, form_id, result=result, errors=posted.errors, origin=posted.origin)



def _page_country(form_id: str | None, result: CompileResult | None) -> str | None:
    if result is not None and result.ok:
        return result.unwrap().country
    owners = _owners(form_id) if form_id else []
    return owners[0] if owners else None


def _page(editor: EditorForm, form_id: str | None, status: int = 200, **context):
    """The editor page; `context` may hold result, errors, preview and draft."""
    preview = context.get("preview")
    context.setdefault("errors", ())
    context.setdefault("origin", f"{form_id}.yaml" if form_id else "definition.yaml")
    country = _page_country(form_id, context.get("result"))
    context.setdefault("approval_required", services().approvals.required(country))
    context.setdefault("submission", services().approvals.pending(form_id) if form_id else None)
    names = language_names(preview.definition.languages) if preview else {}
    return render_template("forms_admin/editor.html", editor=editor, form_id=form_id,
                           language_names=names, **context), status


from app.forms_admin import (  # noqa: E402, F401  (their routes on `bp`)
    approval,
    guide,
    publishing,
    structured,
    translations,
    xlsform,
)
from app.forms_admin.approval import ReturnForm  # noqa: E402
