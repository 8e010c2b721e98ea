"""The questionnaire form as the steps see it: filled from a draft, checked one step
at a time, summarised for the last step, its errors listed with links.

Plain helpers around the built form class (`forms.wtf`); the views in
`app.public.questionnaire` call them. Answers live in a draft as the browser
posted them, so a wrong answer is shown back exactly as typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from forms.steps import EVIDENCE, step_of
from workflows.drafts import Draft


def meta() -> dict[str, Any]:
    return {"translations": get_translations()}


def filled(form_class: Any, values: Mapping[str, list[str]], *, files: Any = None,
           first_render: bool = False) -> Any:
    """The form holding a draft's answers (and this request's files, if given).

    On `first_render`, a question the reporter has not reached yet starts at its
    `default` (a single-country form's own country), as `DefinitionForm.blank` does;
    answers checked for sending never get a default.
    """
    formdata = MultiDict([(name, value) for name, posted in values.items()
                          for value in posted])
    if files:
        formdata.update(files)
    data = {}
    if first_render:
        blank = form_class.blank(meta=meta())
        data = {name: blank[name].data for name in form_class._attr_names.values()
                if blank[name].name not in values and blank[name].data}
    return form_class(formdata=formdata if formdata else None, data=data, meta=meta())


def posted_values(form: Any, fields: list, posted: Mapping[str, Any]) -> dict[str, list[str]]:
    """What the browser sent for these questions (nothing sent is an answer too: a box
    left unticked, a choice cleared)."""
    return {form.by_id(f.id).name: [str(v) for v in posted.getlist(form.by_id(f.id).name)]
            for f in fields if f.type != "file"}


def validate_step(form: Any, fields: list, draft: Draft) -> bool:
    """Check this step's visible questions only; a file question counts its stored files."""
    visible = form.visible_ids()
    stored = {a.get("field") for a in draft.attachments}
    valid = True
    for field in fields:
        bound = form.by_id(field.id)
        if field.id not in visible or (field.type == "file" and field.id in stored):
            bound.errors = []
            continue
        valid = bound.validate(form) and valid
    return valid


def validate_all(form: Any, draft: Draft | None) -> bool:
    """The whole form, as sending checks it; file questions count the draft's files."""
    form.validate()  # its verdict would count a file question the draft already holds
    stored = {a.get("field") for a in (draft.attachments if draft else [])}
    for field in form.definition.fields():
        if field.type == "file" and field.id in stored:
            form.by_id(field.id).errors = []
    return not form.form_errors and not any(form.by_id(f.id).errors
                                            for f in form.definition.fields())


@dataclass(frozen=True)
class Problem:
    """One line of the error summary: where to go, what question, what is wrong."""

    href: str
    label: str
    message: str


def problems(form: Any, evidence_errors: list[str], step: str, form_id: str,
             lang: str) -> list[Problem]:
    """Every error, linked to its question: on this page by anchor, on another step by URL."""
    def href(step_id: str, anchor: str) -> str:
        if step_id == step:
            return f"#{anchor}"
        return url_for("intake.step", form_id=form_id, lang=lang, step=step_id) + f"#{anchor}"

    found = [Problem(href(step_of(form.definition, v.text.id), f"q-{v.text.id}"),
                     v.text.label, " ".join(str(e) for e in v.field.errors))
             for section in form.sections() for v in section.fields if v.field.errors]
    if evidence_errors:
        found.append(Problem(href(EVIDENCE, f"q-{EVIDENCE}"), str(EVIDENCE_LABEL),
                             " ".join(evidence_errors)))
    return found


EVIDENCE_LABEL = _l("Evidence")
YES, NO = _l("Yes"), _l("No")


@dataclass(frozen=True)
class Answer:
    id: str
    label: str
    text: str


def answers_by_step(form: Any, draft: Draft | None) -> dict[str, list[Answer]]:
    """The answers given, in the form's language, grouped by step, for the last step."""
    given = form.answers()  # shown, not left empty, files apart: what sending would keep
    rows: dict[str, list[Answer]] = {}
    for section in form.sections():
        for view in section.fields:
            field_id = view.text.id
            if field_id in given:
                rows.setdefault(section.text.id, []).append(
                    Answer(field_id, view.text.label, _shown(view, given[field_id])))
    for item in (draft.attachments if draft else []):
        step = step_of(form.definition, item.get("field", EVIDENCE))
        label = str(EVIDENCE_LABEL) if step == EVIDENCE else str(
            form.by_id(item["field"]).label.text)
        rows.setdefault(step, []).append(Answer(item.get("field", EVIDENCE), label,
                                                f"{item['name']} ({_size(item['size'])})"))
    return rows


def _shown(view: Any, value: Any) -> str:
    """An answer as the reporter chose it: the option's words, not its stored value."""
    if isinstance(value, bool):
        return str(YES if value else NO)
    options = _options(view.field)
    if isinstance(value, list):
        return ", ".join(options.get(str(v), str(v)) for v in value)
    return options.get(str(value), str(value))


def _options(bound: Any) -> dict[str, str]:
    choices = getattr(bound, "choices", None)
    if not choices:
        return {}
    try:
        return {str(option.data): str(option.label.text) for option in bound}
    except TypeError:
        return {}


def _size(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB" if size >= 1_048_576 else f"{max(1, size // 1024)} KB"


def aria(view: Any, group: bool = False) -> dict[str, str]:
    """What assistive technology needs to hear what the eye sees: the field's hint and
    errors, that it must be answered, that it is wrong. On a group of options only a
    radio group may say "required" (ARIA allows it there, not on a plain group)."""
    text, bound = view.text, view.field
    pairs: dict[str, str] = {}
    described = " ".join(part for part, shown in ((f"h-{text.id}", text.help),
                                                  (f"e-{text.id}", bound.errors)) if shown)
    if described:
        pairs["aria-describedby"] = described
    if text.required and (not group or text.kind == "radios"):
        pairs["aria-required"] = "true"
    if bound.errors:
        pairs["aria-invalid"] = "true"
    return pairs


def field_errors(form, field_id: str) -> list:
    """The error list shown beside a question, or beside the evidence input."""
    if field_id in form._attr_names:
        bound = form.by_id(field_id)
        if isinstance(bound.errors, tuple):
            bound.errors = list(bound.errors)
        return bound.errors
    if not hasattr(form, "evidence_errors"):
        form.evidence_errors = []
    return form.evidence_errors
