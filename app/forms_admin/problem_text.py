"""The form checker's problem sentences in the editor's language.

forms/errors.py writes each problem's template in English (a pure core, no Flask); the
editor shows it through gettext: each template is listed here, marked, under its code's
key, and filled with the problem's values after translation. Translators keep the
`{name}` slots. tests/web/test_form_problem_text.py checks that every code is listed
with its current English text, so a new or reworded problem is not shown untranslated.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

TEMPLATES = {
    "missing_inherited_translations": _l(
        "{count} texts this form inherits have no {language} translation. You do not "
        "edit the parent form for them: export the translation sheet for {language} "
        "(\"Translations\" in the form editor, or: mrvrs forms translations export "
        "--form {form} --lang {language}), fill in the empty cells of its last column and "
        "import it; the translations are written into this form."),
    "unused_term": _l(
        'No question uses the term "{term}": show it beside a question (terms: [{term}]) '
        "or link it from a choice (term: {term}), or delete it. This is a warning; it does "
        "not stop publishing."),
    "yaml_syntax": _l("The file is not valid YAML: {detail}."),
    "yaml_alias": _l(
        "Anchors and aliases (&name and *name) are not accepted; write the value out in "
        "full here."),
    "too_deep": _l(
        "Keys and lists are nested more than {max} levels deep here; no definition needs "
        "that many."),
    "too_long": _l("The definition has {size} characters; at most {max} are accepted."),
    "not_a_mapping": _l(
        "A form definition must be a set of keys such as form, title and sections; this "
        "file holds {value}."),
    "duplicate_key": _l("The key \"{key}\" is written twice here; keep only one."),
    "missing_key": _l("\"{key}\" is missing; it is required here."),
    "unknown_key": _l("\"{key}\" is not a known key here.{hint}"),
    "wrong_value": _l("{value} is not accepted here: it should be {expected}."),
    "not_one_of": _l("{value} is not allowed here. Use one of: {allowed}."),
    "unknown_type": _l("\"{value}\" is not a field type.{hint} Use one of: {allowed}."),
    "key_not_for_type": _l("\"{key}\" cannot be used on a {type} field. It works on: {allowed}."),
    "duplicate_id": _l(
        "The {kind} \"{id}\" is used twice (first at {first}); each must be different."),
    "duplicate_language": _l("The language \"{language}\" is listed twice."),
    "missing_translation": _l(
        "This text has no {missing} translation. Every text needs each of the form's "
        "languages: {languages}."),
    "min_above_max": _l("min ({min}) is larger than max ({max})."),
    "invalid_pattern": _l("The pattern \"{pattern}\" is not a valid regular expression: {detail}."),
    "show_if_missing_field": _l(
        "show_if refers to the field \"{field}\", but the form has no field with that "
        "id.{hint}"),
    "show_if_bad_value": _l(
        "show_if waits for {value}, but the field \"{field}\" can never have that value. "
        "Use one of: {allowed}."),
    "show_if_cycle": _l(
        "show_if makes these depend on each other in a circle: {cycle}. One of them must "
        "not depend on the others."),
    "unknown_mwc": _l(
        "{value} is not an MWC article in the taxonomy. Write an article number such as "
        "21 or \"MWC-21\", from: {ranges}."),
    "unknown_term": _l("The term \"{term}\" is not defined under this form's terms.{hint}"),
    "unknown_dimension": _l(
        "\"{dimension}\" is not a standard dimension.{hint} Use one of: {allowed}."),
    "dimension_twice": _l(
        "The {dimension} dimension is already on the field \"{other}\"; a dimension can be "
        "on one field only."),
    "dimension_value": _l(
        "The choice value \"{value}\" is not a value of the {dimension} dimension. Use one "
        "of: {allowed}."),
    "dimension_field_type": _l(
        "The {dimension} dimension needs a field of type {expected}, not {type}."),
    "consent_twice": _l(
        "Consent to {purpose} is already asked by the field \"{other}\"; ask it once."),
    "gender_missing": _l(
        "A country form must ask for gender: add a field with \"dimension: gender\" (or "
        "keep the one the base form has)."),
    "staff_condition": _l(
        "show_if refers to \"{field}\", which only staff answer (audience: staff), so "
        "people reporting could never make this appear. Let it depend on a question for "
        "everyone, or mark it \"audience: staff\" too."),
    "staff_depends_on_reporter": _l(
        "This question is for staff only, but its show_if refers to \"{field}\", which is "
        "asked of everyone. A question for staff can depend only on another question for "
        "staff."),
    "staff_in_conditional_section": _l(
        "The question \"{field}\" is for staff only, but its section appears only on a "
        "condition (show_if). Put questions for staff in a section without show_if."),
    "staff_consent": _l(
        "Consent is given by the person reporting, so a question for staff only cannot "
        "ask for it. Remove consent or audience here."),
    "staff_file": _l(
        "A question for staff only cannot be a file question: the case page takes no "
        "files there. Use a file question for everyone, or attach the file as evidence."),
    "no_interface_language": _l(
        "The app's own pages have no {language} translation: reporters who choose "
        "{language} read this form's questions in it, but the navigation, buttons, error "
        "messages, receipt and status page in English. This is a warning; it does not "
        "stop publishing. To translate those pages, a translator adds a catalogue for "
        "{language} (docs/translations.md)."),
    "extends_cycle": _l("The forms extend each other in a circle: {cycle}."),
    "missing_parent": _l(
        "This form extends \"{parent}\", but there is no form with that id.{hint}"),
    "form_not_found": _l("There is no form with the id \"{form}\"."),
    "override_unknown": _l(
        "override names \"{target}\", but the form has no field or section with that "
        "id.{hint}"),
    "remove_unknown": _l(
        "remove names \"{target}\", but the form has no field or section with that "
        "id.{hint}"),
}


class _Slots(dict[str, Any]):
    """A slot a translation names but the problem lacks stays visible, as in forms/."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def problem_detail(problem: Any) -> str:
    """The problem's sentence in the interface language (English for a code not listed)."""
    template = TEMPLATES.get(problem.code.key)
    if template is None:
        return problem.detail
    try:
        return str(template).format_map(_Slots(problem.params))
    except (ValueError, IndexError, KeyError):  # a slip in a translation: the English one
        return problem.detail


def problem_where_detail(problem: Any) -> str:
    return f"{problem.where}: {problem_detail(problem)}"
