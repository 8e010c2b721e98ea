"""The reasons a structured edit was refused (`forms.definition_edits.EditCode`), in
the page's language: the forms layer words them in English for the command line and
tests, and the pages translate them here by code."""

from __future__ import annotations

from flask_babel import gettext as _

from forms import definition_edits as edits


def edit_message(problem: edits.EditProblem) -> str:
    p = dict(problem.params)
    key = problem.code.key
    messages = {
        "unreadable": lambda: _("The definition cannot be read, so it cannot be changed "
                                "here: %(detail)s Fix it in the YAML editor first.",
                                detail=p.get("detail", "")),
        "bad_id": lambda: _("“%(id)s” cannot be an id: use lowercase letters, digits and _, "
                            "starting with a letter.", id=p.get("id")),
        "term_exists": lambda: _("The form already has a term with the id “%(id)s”.",
                                 id=p.get("id")),
        "no_term": lambda: _("The form has no term with the id “%(id)s”.", id=p.get("id")),
        "missing_text": lambda: _("The text in %(language)s is missing; every text needs "
                                  "each of the form's languages.",
                                  language=p.get("language")),
        "unknown_language": lambda: _("“%(language)s” is not one of the form's languages "
                                      "(%(languages)s).", language=p.get("language"),
                                      languages=p.get("languages")),
        "no_articles": lambda: _("Choose at least one MWC article for the term."),
        "unknown_article": lambda: _("%(value)s is not an MWC article of the taxonomy.",
                                     value=p.get("value")),
        "not_coded": lambda: _("Article %(number)s describes scope or duties and is never "
                               "coded as a violation.", number=p.get("number")),
        "no_question": lambda: _("The form has no question with the id “%(id)s”.",
                                 id=p.get("id")),
        "no_item": lambda: _("The form has no question or section with the id “%(id)s”.",
                             id=p.get("id")),
        "not_choices": lambda: _("The question “%(id)s” is a %(type)s question; only choice "
                                 "and multichoice questions have choices.", id=p.get("id"),
                                 type=p.get("type")),
        "bad_value": lambda: _("“%(value)s” cannot be a choice value: use letters, digits, _, "
                               "- or +, at most 64, without spaces.", value=p.get("value")),
        "value_exists": lambda: _("The question “%(id)s” already has a choice with the value "
                                  "“%(value)s”.", id=p.get("id"), value=p.get("value")),
        "no_choice": lambda: _("The question “%(id)s” has no choice with the value "
                               "“%(value)s”.", id=p.get("id"), value=p.get("value")),
        "term_shown": lambda: _("The term “%(term)s” is already shown beside “%(id)s”.",
                                term=p.get("term"), id=p.get("id")),
        "own_question": lambda: _("The question “%(id)s” is this form's own, not a base "
                                  "question: delete it in the YAML editor instead of hiding "
                                  "it.", id=p.get("id")),
        "already_hidden": lambda: _("The question “%(id)s” is already hidden.",
                                    id=p.get("id")),
        "must_keep": lambda: _("The question “%(id)s” cannot be hidden: %(reason)s",
                               id=p.get("id"), reason=keep_reason_text(p.get("reason"))),
        "not_a_text": lambda: _("“%(key)s” is not a text of this item.", key=p.get("key")),
    }
    return messages[key]() if key in messages else problem.message


def keep_reason_text(reason: str | None) -> str:
    """Why a base question stays on every form, in the page's language."""
    reasons = {
        "gender": _("gender is collected on every form, and every indicator is split by it."),
        "consent": _("consent is asked per purpose, and every output honours it."),
        "dimension": _("indicators and exports read the standard dimension it fills."),
        "event_period": _("every case's event period is worked out from the questions of "
                          "when it happened."),
    }
    return reasons.get(reason or "", reason or "")
