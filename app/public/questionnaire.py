"""The public questionnaire in steps: one section per page, the evidence, a last
page to check every answer and send; then the receipt.

Thin adapters around `forms.wtf` (the form class built from the published
definition), `forms.steps` (which steps, in which order), `workflows.drafts` (the
sealed answers carried between steps, reached through `app.public.drafting`) and
`workflows.intake.submit_case` (the case). Works without JavaScript: every step
is a plain form post, and every button saves what is on the page first, so
nothing typed is lost on Back, on a language button or on an error. A complete
questionnaire posted at once to the form's address is still accepted (scripts,
old pages) and checked whole.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from functools import partial

from flask import (
    Blueprint,
    abort,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import CombinedMultiDict

from app import roles as r
from app.extensions import register_rate_limit
from app.navigation import NavEntry, register
from app.public import chooser, drafting, quick_exit, receipts
from app.public import status as status_page
from app.public.chooser import native_name_or_tag
from app.public.step_uploads import store_uploads
from app.public.stepping import (
    EVIDENCE_LABEL,
    answers_by_step,
    aria,
    field_errors,
    filled,
    meta,
    posted_values,
    problems,
    validate_all,
    validate_step,
)
from app.public.support import (
    no_store,
    public,
    published,
    reporter_of,
    uploads_from,
    use_language,
)
from app.public.text import file_problem_text, problem_text
from app.services import services
from config.settings import SUPPORTED_UI_LANGUAGES
from forms.audience import for_reporters
from forms.schema import text_direction
from forms.steps import (
    CHECK,
    EVIDENCE,
    all_steps,
    defaults_passed_over,
    fields_of,
    first_with,
    needs_answer,
    neighbour,
    next_needing_answer,
    shown_steps,
)
from forms.wtf import build_form_class
from workflows.attachments import AttachmentsRefused
from workflows.errors import AlreadyFiled
from workflows.intake import IntakeError, enqueue_routing, submit_case
from workflows.resubmission import submission_hash

bp = Blueprint("intake", __name__)
status_page.register(bp)
chooser.register(bp)
quick_exit.register(bp)
for _endpoint in ("intake.questionnaire", "intake.send"):
    register_rate_limit(_endpoint, "rate_limit_public")
register_rate_limit("intake.step", "rate_limit_draft")
register(NavEntry("intake.check_status", _l("Check a report"), public=True))
register(NavEntry("intake.my_reports", _l("My reports"), (r.REPORTER, r.MEMBER)))



def _found(form_id: str, lang: str):
    found = published(form_id)
    if found is None or lang not in found[0].languages or not found[0].country:
        abort(404)
    return found


def reporter_form_class(definition, lang: str):
    """The questionnaire class reporters fill: the one place the public form is built.
    Questions for staff (`audience: staff`) are not in it, so they are neither shown
    nor accepted here."""
    return build_form_class(for_reporters(definition), lang)


@bp.route("/report/<form_id>/<lang>", methods=["GET", "POST"])
@public
def questionnaire(form_id: str, lang: str):
    """The first step, or the offer to resume; a POST is a whole questionnaire at once."""
    definition, record = _found(form_id, lang)
    use_language(lang)
    form_class = reporter_form_class(definition, lang)
    if request.method == "POST":
        return _send_whole(form_class, definition, record, form_id, lang)
    draft = drafting.current(form_id)
    shown = form_class.definition  # what reporters see: steps follow it, not the stored form
    if draft is not None and (draft.reached or draft.values):
        return _resume_page(shown, draft, lang)
    return _step_view(form_class, shown, form_id, lang, all_steps(shown)[0], draft)


@bp.route("/report/<form_id>/<lang>/step/<step>", methods=["GET", "POST"])
@public
def step(form_id: str, lang: str, step: str):
    definition, _record = _found(form_id, lang)
    form_class = reporter_form_class(definition, lang)
    shown = form_class.definition
    if step not in all_steps(shown):
        abort(404)
    use_language(lang)
    if request.method == "POST":
        return _save_step(form_class, shown, form_id, lang, step)
    return _step_view(form_class, shown, form_id, lang, step, drafting.current(form_id))


@bp.route("/report/<form_id>/<lang>/step/<step>/language")
@public
def step_language(form_id: str, lang: str, step: str):
    """Where the header's language switch returns from a step: the same step in the
    language just chosen when the form has it. The draft is untouched either way."""
    definition, _record = _found(form_id, lang)
    chosen = session.get("lang")
    if step not in all_steps(for_reporters(definition)):
        abort(404)
    return _go(form_id, chosen if chosen in definition.languages else lang, step)


@bp.route("/report/<form_id>/<lang>/send", methods=["POST"])
@public
def send(form_id: str, lang: str):
    """The last step's button: check the whole draft and file it."""
    definition, record = _found(form_id, lang)
    use_language(lang)
    again = receipts.resent(request.form.get(SUBMISSION_FIELD, ""), lang)
    if again is not None:  # filed before, the draft possibly gone: its receipt, a new code
        return again
    draft = drafting.current(form_id)
    if draft is None:  # expired or erased: start again rather than send nothing
        return redirect(url_for("intake.questionnaire", form_id=form_id, lang=lang), 303)
    form = filled(reporter_form_class(definition, lang), draft.values)
    if validate_all(form, draft):
        result = _submit(form, definition, record, lang, draft)
        if result is not None:
            drafting.forget(form_id, discard_files=False)
            return result
    return _first_problem(form, form.definition, form_id, lang, draft)


@bp.route("/report/<form_id>/<lang>/restart", methods=["POST"])
@public
def restart(form_id: str, lang: str):
    """Start again: the draft and its files are deleted now, not when they expire."""
    definition, _record = _found(form_id, lang)
    drafting.forget(form_id)
    return redirect(url_for("intake.step", form_id=form_id, lang=lang,
                            step=all_steps(for_reporters(definition))[0]), 303)


def _send_whole(form_class, definition, record, form_id: str, lang: str):
    """A whole questionnaire in one post, checked whole; kept as a draft when refused."""
    again = receipts.resent(request.form.get(SUBMISSION_FIELD, ""), lang)
    if again is not None:
        return again
    form = form_class(CombinedMultiDict([request.files, request.form]), meta=meta())
    if form.validate():
        result = _submit(form, definition, record, lang)
        if result is not None:
            drafting.forget(form_id)
            return result
    draft = drafting.current_or_new(form_id)
    draft.values.update(posted_values(form, list(form.definition.fields()), request.form))
    drafting.keep(draft)
    return _first_problem(form, form.definition, form_id, lang, draft)


#: A one-time token per questionnaire, kept in its draft, so sending it twice (a double
#: tap, or again after the connection dropped before the receipt arrived) files one case
#: and shows its receipt with a fresh code (workflows/resubmission.py).
SUBMISSION_FIELD = "submission"


def _step_view(form_class, definition, form_id: str, lang: str, step: str, draft):
    """Show a step with the draft's answers; a step skipped by earlier answers moves on."""
    values = draft.values if draft else {}
    form = filled(form_class, values, first_render=True)
    steps = shown_steps(definition, form.plain_values())
    if step not in steps:
        ahead = all_steps(definition)[all_steps(definition).index(step):]
        return _go(form_id, lang, next(s for s in ahead if s in steps))
    if step == CHECK:
        form = filled(form_class, values)
    return _step_page(form, definition, lang, step, steps, draft)


def _save_step(form_class, definition, form_id: str, lang: str, step: str):
    """Save what this step's page sent, whichever button was pressed, then go on.

    Next checks this step's visible questions and stays with the errors when any is
    wrong; Back, a language button or a step button go without checking, since
    the answers are kept either way.
    """
    draft = drafting.current_or_new(form_id)
    fields = fields_of(definition, step)
    form = filled(form_class, draft.values)
    draft.values.update(posted_values(form, fields, request.form))
    form = filled(form_class, draft.values, files=request.files)
    refused = store_uploads(form, step, fields, draft)
    draft.reach(step)
    steps = shown_steps(definition, form.plain_values())
    go = request.form.get("go", "next")
    if refused or (go in ("next", SKIP) and not validate_step(form, fields, draft)):
        drafting.keep(draft)
        form.evidence_errors = refused.get(EVIDENCE, [])
        return _step_page(form, definition, lang, step, steps, draft, 400)
    if go == SKIP:  # the steps passed over stay open from the list of steps
        saved = _saved_answers(form, draft.values)
        target_lang, target = lang, next_needing_answer(definition, steps, saved, step)
        passed = steps[steps.index(step):steps.index(target)]
        for field_id, value in defaults_passed_over(definition, passed, saved).items():
            draft.values[form.by_id(field_id).name] = [str(value)]
        for each in passed:
            draft.reach(each)
    else:
        target_lang, target = _destination(go, definition, lang, step, steps, draft)
    draft.reach(target)
    drafting.keep(draft)
    return _go(form_id, target_lang, target)


#: The button that saves the step and goes straight to the next required question.
SKIP = "skip"
#: The header's language switch, which on a step posts the step's form.
INTERFACE = "interface"


def _destination(go: str, definition, lang: str, step: str, steps: list[str], draft):
    """(language, step) a button leads to; anything unknown stays where it is."""
    kind, _, value = go.partition(":")
    if kind == "lang" and value in definition.languages:
        return value, step
    if go == INTERFACE:  # the header's switch: the page's answers are saved already
        chosen = request.form.get("interface_lang", "")
        if chosen in SUPPORTED_UI_LANGUAGES:
            session["lang"] = chosen
        return (chosen if chosen in definition.languages else lang), step
    if kind == "step" and value in steps and value in draft.reached:
        return lang, value
    offset = {"next": 1, "back": -1}.get(go)
    return lang, (neighbour(steps, step, offset) if offset else None) or step


def _go(form_id: str, lang: str, step: str):
    return redirect(url_for("intake.step", form_id=form_id, lang=lang, step=step), 303)


def _first_problem(form, definition, form_id: str, lang: str, draft):
    """Sending was refused: show the earliest step with a problem, listing them all."""
    evidence_errors = getattr(form, "evidence_errors", [])
    wrong = [f.id for f in definition.fields() if form.by_id(f.id).errors]
    if evidence_errors:
        wrong.append(EVIDENCE)
    steps = shown_steps(definition, form.plain_values())
    step = first_with(definition, wrong) or steps[0]
    form.evidence_errors = evidence_errors
    return _step_page(form, definition, lang, step, steps, draft, 400)


def _resume_page(definition, draft, lang: str):
    last = draft.reached[-1] if draft.reached else all_steps(definition)[0]
    page = render_template(
        "intake/resume.html", title=definition.text(definition.title, lang), lang=lang,
        direction=text_direction(lang), form_id=definition.id, last_step=last,
        hours=services().settings.draft_lifetime_hours)
    return no_store(page)


def _step_page(form, definition, lang: str, step: str, steps: list[str], draft,
               status: int = 200):
    settings = services().settings
    evidence_errors = getattr(form, "evidence_errors", [])
    sections = {view.text.id: view for view in form.sections()}
    page = render_template(
        "intake/questionnaire.html", form=form, section=sections.get(step), step=step,
        steps=steps, position=steps.index(step) + 1, total=len(steps),
        titles=_step_titles(form, steps), reached=draft.reached if draft else [],
        lang=lang, languages=[t for t in definition.languages if t != lang],
        direction=text_direction(lang), evidence_field=EVIDENCE,
        evidence_errors=evidence_errors, kept=draft.attachments if draft else [],
        problems=problems(form, evidence_errors, step, definition.id, lang),
        answers=answers_by_step(form, draft) if step == CHECK else {},
        skips=_skips_optional(definition, step, steps,
                              _saved_answers(form, draft.values if draft else {})),
        submission=draft.submission if draft else secrets.token_urlsafe(16),
        aria=aria, language_names={t: native_name_or_tag(t) for t in definition.languages},
        hours=settings.draft_lifetime_hours, max_files=settings.upload_max_files,
        max_megabytes=round(settings.upload_max_bytes / 1_048_576, 1))
    return no_store(page, status)


def _saved_answers(form, values: dict) -> dict:
    """The answers of the questions whose step was saved, as plain values by question
    id; a question never saved is absent (not None), so its `default` still counts."""
    plain = form.plain_values()
    return {field_id: value for field_id, value in plain.items()
            if form.by_id(field_id).name in values}


def _skips_optional(definition, step: str, steps: list[str], saved: dict) -> bool:
    """Whether to offer "skip the optional questions": on a step that asks nothing
    required (so the reporter knows it may be left), or when it passes over steps."""
    if step == CHECK:
        return False
    ahead = next_needing_answer(definition, steps, saved, step)
    return ahead != neighbour(steps, step, 1) or not needs_answer(definition, step, saved)


def _step_titles(form, steps: list[str]) -> dict[str, str]:
    titles = {view.text.id: view.text.title for view in form.sections()}
    titles[EVIDENCE] = str(EVIDENCE_LABEL)
    titles[CHECK] = str(_l("Check your answers and send"))
    return {step: titles[step] for step in steps}


def _submit(form, definition, record, lang: str, draft=None):
    """Store the case and render the receipt; None (with errors on the form) if refused.

    With a draft, the case takes the id the draft reserved and the files kept under
    it; without one (a whole questionnaire posted at once) the files come with the post.
    """
    svc = services()
    files = {} if draft else {**form.files(),
                              EVIDENCE: request.files.getlist(EVIDENCE)}
    try:
        case, code = submit_case(
            definition=definition, form_record=record, answers=form.answers(),
            files=uploads_from(files, svc.settings.upload_max_bytes), language=lang,
            reporter=reporter_of(g.get("user")), repo=svc.cases, sealer=svc.sealer,
            attachments_store=svc.attachments, identity_secret=svc.identity_secret,
            now=datetime.now(UTC), enqueue=partial(enqueue_routing, svc.celery),
            case_id=draft.case_id if draft else None,
            stored=draft.attachments if draft else None,
            submission_hash=submission_hash(request.form.get(SUBMISSION_FIELD)))
    except AlreadyFiled:  # another send of this report filed it a moment ago
        return receipts.resent(request.form.get(SUBMISSION_FIELD, ""), lang)
    except AttachmentsRefused as refused:
        for problem in refused.problems:
            field_errors(form, problem.field).append(file_problem_text(problem))
        return None
    except IntakeError as refused:
        for problem in refused.problems:
            field_errors(form, problem.field).append(problem_text(problem.code))
        return None
    return receipts.receipt_page(case["reference"], code, lang)
