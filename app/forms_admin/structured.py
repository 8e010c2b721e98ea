"""Structured pages of the form editor: the frequent tasks for people who don't write
YAML (local terms and their MWC articles, a new choice, a label, hiding a base question),
each a plain form that edits the form's draft through `forms.definition_edits`.

The draft is the same one the YAML editor opens (the latest published source when there
is none yet), so both views always show one definition. Every save is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired
from wtforms.widgets import CheckboxInput, ListWidget

from app.cases.display import LabelLanguages, Text, language_name
from app.forms_admin.edit_messages import edit_message, keep_reason_text
from app.forms_admin.editing import (
    Posted,
    language_names,
    preview_form,
    require_edit,
    written_form,
)
from app.forms_admin.views import EDITORS, bp
from app.i18n import current_language
from app.roles import roles_required
from app.services import services
from forms import definition_edits as edits
from forms.compiler import CompileResult
from forms.definition_edits import Definition, EditResult
from forms.inheritance import resolve
from forms.loader import parse_definition
from forms.mwc import load_taxonomy
from forms.schema import FormDefinition


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


@dataclass
class Working:
    """The definition the tasks edit: the draft, else the latest published source."""

    form_id: str
    text: str
    is_draft: bool
    definition: Definition
    result: CompileResult

    @cached_property
    def compiled(self) -> FormDefinition | None:
        """The definition, read as far as it can be while the draft still has problems
        (a missing translation must not hide the questions from these pages)."""
        return self.result.definition or _lenient(self.definition)

    @property
    def languages(self) -> list[str]:
        return list(self.compiled.languages) if self.compiled is not None else []

    @cached_property
    def labels(self) -> LabelLanguages | None:
        """The form's texts in the viewer's language where the form has it, else in the
        form's default language: editors read the questions as the case page shows them."""
        if self.compiled is None:
            return None
        return LabelLanguages(self.compiled, current_language(),
                              self.compiled.default_language)

    def shown(self, translations: Any) -> Text:
        return self.labels.text(translations or {})


def _lenient(definition: Definition) -> FormDefinition | None:
    parsed = parse_definition(definition.text, definition.origin)
    form_id = parsed.form_id or definition.origin
    merged, _problems = resolve(form_id, {**definition.library, form_id: parsed})
    try:
        return FormDefinition.from_dict(merged.data) if merged is not None else None
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _working(form_id: str) -> Working:
    """Load the form's working text, refusing editors of other countries (403)."""
    store = services().forms
    latest, draft = store.latest(form_id), store.draft(form_id)
    if latest is None and draft is None:
        abort(404)
    countries = [latest.get("country")] if latest else []
    written = written_form(Posted(draft["text"], form_id))[1] if draft is not None else None
    if written is not None or latest is None:  # an unreadable draft stays its form's
        countries.append(written)
    require_edit(g.user, *countries)
    text = draft["text"] if draft is not None else latest["source"]
    definition = Definition(text, f"{form_id}.yaml", store.library_sources())
    return Working(form_id, text, draft is not None, definition, definition.compile())


def _save(work: Working, result: EditResult, task: str, item: str) -> Any:
    """Keep the edited text as the draft, audit it, and go back to the tasks."""
    svc = services()
    svc.forms.save_draft(work.form_id, result.text, g.user["_id"])
    svc.audit.record("form.draft_edit", actor=g.user["_id"], target=work.form_id,
                     form_id=work.form_id, task=task, item=item)
    flash(_("Saved in the draft of %(form)s. It is not published yet.", form=work.form_id))
    return redirect(url_for("forms_admin.tasks", form_id=work.form_id))


def _apply_problems(form: FlaskForm, result: EditResult) -> list[str]:
    """Put each problem beside its input; return those that belong to no input, and the
    check problems the edit would have added."""
    general = []
    for problem in result.problems:
        name = (problem.input or "").replace("-", "_")
        message = edit_message(problem)
        if name in form._fields:
            form._fields[name].errors = [*form._fields[name].errors, message]
        else:
            general.append(message)
    general += [_("The form's check would find this: %(where)s: %(detail)s",
                  where=p.where, detail=p.detail) for p in result.introduced]
    return general


# -- building the page forms ----------------------------------------------------------


def _language_fields(prefix: str, what: Any, languages: list[str],
                     area: bool = False) -> dict[str, Any]:
    """One input per language of the form, each labelled with the language's name in the
    viewer's language."""
    kind = TextAreaField if area else StringField
    return {f"{prefix}_{lang}": kind(_l("%(what)s in %(language)s", what=what,
                                       language=language_name(lang)))
            for lang in languages}


def _articles_field(label: Any) -> CheckboxesField:
    taxonomy = load_taxonomy()
    lang = str(get_locale() or "en")
    choices = [(str(n), f"MWC-{n}: {taxonomy.title(n, lang)}")
               for n in taxonomy.violation_codes()]
    return CheckboxesField(label, choices=_choices(choices))


def _choices(pairs: list[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def _form_text_choice(value: str, text: Text, prefix: str = "",
                      group: str | None = None) -> SelectChoice:
    """An option showing a text of the form, marked with the language it is in, and the
    key it stores (a question id, a term id), so editors can find it in the YAML."""
    return SelectChoice(value, f"{prefix}{text.text} ({value})",
                        render_kw={"lang": text.lang, "dir": text.dir}, optgroup=group)


def _language_choices(languages: list[str]) -> list[SelectChoice]:
    """The form's languages, each named in itself and marked with its own tag."""
    return [SelectChoice(tag, name, render_kw={"lang": tag})
            for tag, name in language_names(languages).items()]


def _form(fields: dict[str, Any]) -> FlaskForm:
    return type("TaskForm", (FlaskForm,), fields)()


def _texts(form: FlaskForm, prefix: str, languages: list[str]) -> dict[str, str]:
    return {lang: form[f"{prefix}_{lang}"].data or "" for lang in languages}


def _page(work: Working, template: str, status: int = 200, **context: Any) -> Any:
    return render_template(f"forms_admin/{template}", work=work, form_id=work.form_id,
                           check=work.result,
                           **context), status


def term_usage(definition: FormDefinition | None) -> dict[str, list[str]]:
    """Each term id with the questions that show it or link it from a choice."""
    usage: dict[str, list[str]] = {}
    for field in definition.fields() if definition else ():
        for term_id in [*field.terms, *(c.term for c in field.choices if c.term)]:
            if field.id not in usage.setdefault(term_id, []):
                usage[term_id].append(field.id)
    return usage


def _question_choices(work: Working, only_choices: bool = False) -> list[SelectChoice]:
    fields = work.compiled.fields() if work.compiled else ()
    return [_form_text_choice(f.id, work.shown(f.label)) for f in fields
            if not only_choices or f.type in ("choice", "multichoice")]


def _term_choices(work: Working) -> list[SelectChoice]:
    terms = work.compiled.terms if work.compiled else ()
    return [_form_text_choice(t.id, work.shown(t.label)) for t in terms]


# -- the pages --------------------------------------------------------------------------


@bp.route("/<form_id>/tasks")
@roles_required(*EDITORS)
def tasks(form_id: str):
    """The frequent tasks, the terms and where each will appear, and the draft's check."""
    work = _working(form_id)
    return _page(work, "structured.html", usage=term_usage(work.compiled),
                 taxonomy=load_taxonomy(), lang=str(get_locale() or "en"))


@bp.route("/<form_id>/tasks/terms/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def add_term(form_id: str):
    work = _working(form_id)
    langs = work.languages
    form = _form({"id": StringField(_l("Id of the term (lowercase letters, digits and _)"),
                                    validators=[InputRequired(_l("Write an id."))]),
                  **_language_fields("label", _l("Term"), langs),
                  **_language_fields("help", _l("What it means"), langs, area=True),
                  "mwc": _articles_field(_l("MWC articles this term stands for"))})
    general: list[str] = []
    if request.method == "POST":
        if not form.validate_on_submit() and "csrf_token" in form.errors:
            abort(400)
        result = edits.add_term(work.definition, (form.id.data or "").strip(),
                                _texts(form, "label", langs), _texts(form, "help", langs),
                                form.mwc.data or [])
        if result.ok and not form.errors:
            return _save(work, result, "add_term", form.id.data.strip())
        general = _apply_problems(form, result)
    return _page(work, "structured_task.html", 400 if general or form.errors else 200,
                 form=form, general=general, heading=_("Add a local legal term"))


@bp.route("/<form_id>/tasks/terms/<term_id>", methods=["GET", "POST"])
@roles_required(*EDITORS)
def change_term(form_id: str, term_id: str):
    """Rename a term, explain it, map it to MWC articles, or show it beside a question."""
    work = _working(form_id)
    term = next((t for t in work.compiled.terms if t.id == term_id), None) \
        if work.compiled else None
    if term is None:
        abort(404)
    langs = work.languages
    questions = [SelectChoice("", _("(do not add it to a question)")), *_question_choices(work)]
    form = _form({**_language_fields("label", _l("Term"), langs),
                  **_language_fields("help", _l("What it means"), langs, area=True),
                  "mwc": _articles_field(_l("MWC articles this term stands for")),
                  "question": SelectField(_l("Also show it beside this question"),
                                          choices=questions)})
    general: list[str] = []
    if request.method == "GET":
        for lang in langs:
            form[f"label_{lang}"].data = term.label.get(lang, "")
            form[f"help_{lang}"].data = term.help.get(lang, "")
        form.mwc.data = [str(n) for n in term.mwc]
    else:
        if not form.validate_on_submit() and "csrf_token" in form.errors:
            abort(400)
        result = edits.change_term(work.definition, term_id, label=_texts(form, "label", langs),
                                   help=_texts(form, "help", langs), mwc=form.mwc.data or [])
        if result.ok and form.question.data:
            shown = Definition(result.text, work.definition.origin, work.definition.library)
            if form.question.data not in term_usage(work.compiled).get(term_id, []):
                result = edits.show_term(shown, form.question.data, term_id)
        if result.ok and not form.errors:
            return _save(work, result, "change_term", term_id)
        general = _apply_problems(form, result)
    return _page(work, "structured_task.html", 400 if general or form.errors else 200,
                 form=form, general=general, term=term,
                 heading=_("Change the term %(term)s", term=term_id))


@bp.route("/<form_id>/tasks/choice", methods=["GET", "POST"])
@roles_required(*EDITORS)
def add_choice(form_id: str):
    work = _working(form_id)
    langs = work.languages
    terms = [SelectChoice("", _("(none)")), *_term_choices(work)]
    form = _form({"question": SelectField(_l("Question"), choices=_question_choices(work, True)),
                  "value": StringField(_l("Stored value (letters, digits, _ or -)"),
                                       validators=[InputRequired(_l("Write a value."))]),
                  **_language_fields("label", _l("Choice"), langs),
                  "mwc": _articles_field(_l("MWC articles this choice implies (optional)")),
                  "term": SelectField(_l("Local term it stands for (optional)"),
                                      choices=terms)})
    general: list[str] = []
    if request.method == "POST":
        if not form.validate_on_submit() and "csrf_token" in form.errors:
            abort(400)
        result = edits.add_choice(work.definition, form.question.data or "",
                                  (form.value.data or "").strip(), _texts(form, "label", langs),
                                  form.mwc.data or [], form.term.data or None)
        if result.ok and not form.errors:
            return _save(work, result, "add_choice", f"{form.question.data}.{form.value.data}")
        general = _apply_problems(form, result)
    return _page(work, "structured_task.html", 400 if general or form.errors else 200,
                 form=form, general=general, heading=_("Add a choice to a question"))


#: Put before a choice's text in the list of labels, under its question's.
CHOICE_MARK = "\u2003\u2013 "


def _text_targets(work: Working) -> list[SelectChoice]:
    """Every label a reporter sees, as "section", "question" or "question=choice": one
    group per section, its title first, then each question followed by its choices."""
    if work.compiled is None:
        return []
    out = []
    for section in work.compiled.sections:
        group = _("Section %(section)s", section=section.id)
        out.append(_form_text_choice(section.id, work.shown(section.title), group=group))
        for f in section.fields:
            out.append(_form_text_choice(f.id, work.shown(f.label), group=group))
            out += [_form_text_choice(f"{f.id}={c.value}", work.shown(c.label),
                                      prefix=CHOICE_MARK, group=group) for c in f.choices]
    return out


@bp.route("/<form_id>/tasks/label", methods=["GET", "POST"])
@roles_required(*EDITORS)
def change_label(form_id: str):
    work = _working(form_id)
    form = _form({"target": SelectField(_l("Label to change"), choices=_text_targets(work)),
                  "lang": SelectField(_l("Language"),
                                      choices=_language_choices(work.languages)),
                  "text": StringField(_l("New text"),
                                      validators=[InputRequired(_l("Write the new text."))])})
    general: list[str] = []
    if request.method == "POST":
        if not form.validate_on_submit() and "csrf_token" in form.errors:
            abort(400)
        item, _sep, choice = (form.target.data or "").partition("=")
        result = edits.change_label(work.definition, item, form.lang.data or "",
                                    form.text.data or "", choice=choice or None)
        if result.ok and not form.errors:
            return _save(work, result, "change_label", form.target.data)
        general = _apply_problems(form, result)
    return _page(work, "structured_task.html", 400 if general or form.errors else 200,
                 form=form, general=general, heading=_("Change a label"))


@bp.route("/<form_id>/tasks/hide", methods=["GET", "POST"])
@roles_required(*EDITORS)
def hide_question(form_id: str):
    work = _working(form_id)
    kept: list[tuple[Text, str, str]] = []
    choices = []
    parent = work.compiled.extends if work.compiled else None
    base = services().forms.latest(parent) if parent else None
    base_ids = set((base or {}).get("field_types") or {})
    for f in work.compiled.fields() if work.compiled else ():
        if f.id not in base_ids:
            continue
        reason = edits.keep_reason({"id": f.id, "dimension": f.dimension,
                                    "consent": f.consent})
        if reason:
            kept.append((work.shown(f.label), f.id, keep_reason_text(reason)))
        else:
            choices.append(_form_text_choice(f.id, work.shown(f.label)))
    form = _form({"question": SelectField(_l("Base question to hide"), choices=choices)})
    general: list[str] = []
    if request.method == "POST":
        if not form.validate_on_submit() and "csrf_token" in form.errors:
            abort(400)
        result = edits.hide_question(work.definition, request.form.get("question", ""))
        if result.ok:
            return _save(work, result, "hide_question", request.form.get("question", ""))
        form.question.errors = []  # the edit says why a question cannot be hidden
        general = _apply_problems(form, result)
    failed = bool(general or form.question.errors)
    return _page(work, "structured_task.html", 400 if failed else 200, form=form,
                 general=general, kept=kept, heading=_("Hide a base question"))


@bp.route("/<form_id>/draft/preview")
@roles_required(*EDITORS)
def draft_preview(form_id: str):
    """The working definition as reporters will see it, terms beside their questions."""
    work = _working(form_id)
    ready = work.result.definition  # only a definition without problems can be shown
    preview = preview_form(ready, request.args.get("lang")) if ready else None
    return _page(work, "structured_preview.html", preview=preview,
                 language_names=language_names(work.languages))
