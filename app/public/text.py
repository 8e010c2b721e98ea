"""Words the reporter reads that do not live in a form definition, all translatable.

Stage descriptions, refusal sentences for answers and attachments, and the
WTForms built-in messages our own forms can show: WTForms ships no catalogue for
Malay, Indonesian, Bengali, Filipino or Traditional Chinese, so they are listed
here to be extracted into our catalogues, and the forms read them through Flask-Babel.
"""

from __future__ import annotations

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln

#: stage -> (short name, plain description). Reviewer notes are never shown.
STAGES = {
    "submitted": (_l("Received"), _l(
        "We have received your report. It is waiting to be read by the team for its country.")),
    "in_review": (_l("Being reviewed"), _l("A caseworker is reading and checking your report.")),
    "needs_info": (_l("More information needed"), _l(
        "The caseworker needs more information from you. Read their question on this page "
        "and answer it here; you can add files too.")),
    "verified": (_l("Confirmed"), _l(
        "Your report has been checked. The team is deciding what help and follow-up to give.")),
    "rejected": (_l("Not taken forward"), _l(
        "The team could not take this report forward. This is not a judgement about you; "
        "you can file a new report if something has changed.")),
    "duplicate": (_l("Joined with another report"), _l(
        "This report describes the same events as another one, and the two are followed up "
        "together.")),
    "follow_up": (_l("Action under way"), _l(
        "The team is acting on your report, for example through a referral or a complaint.")),
    "closed": (_l("Closed"), _l("Work on this report has ended.")),
}
UNKNOWN_STAGE = (_l("Being handled"), _l("Your report is being handled."))

#: Problem codes of workflows.intake and workflows.attachments -> sentence beside the field.
PROBLEMS = {
    "unknown_field": _l("This question is not on this form."),
    "not_plain": _l("This answer must be plain text, a number or a list of choices."),
    "too_long": _l("This answer is too long. Please shorten it."),
    "too_many": _l("Too many values were given."),
    "unknown_language": _l("This form is not available in that language."),
    "no_country": _l("This form cannot take reports."),
    "empty": _l("This file is empty."),
    "too_large": _l("This file is too large."),
    "too_many_files": _l("Too many files. Attach fewer files."),
    "type_refused": _l("This kind of file cannot be accepted. Send a PDF, a photo (JPEG, PNG, "
                       "WEBP, HEIC), a voice note (MP3, M4A, OGG, WAV) or an MP4 video."),
}

#: WTForms' own messages that our Flask-WTF forms (the status form) can show.
WTFORMS_MESSAGES = [
    _l("This field is required."),
    _ln("Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.", 1),
]


def stage_text(stage: str) -> tuple[str, str]:
    name, description = STAGES.get(stage, UNKNOWN_STAGE)
    return str(name), str(description)


def problem_text(code: str) -> str:
    return str(PROBLEMS.get(code, PROBLEMS["not_plain"]))


def file_problem_text(problem) -> str:
    """The sentence beside a refused file (`workflows.attachments` problem), naming it;
    "too many" of files gets its own sentence, which says to attach fewer."""
    code = "too_many_files" if problem.code == "too_many" else problem.code
    return f"{problem.name}: {problem_text(code)}"


class BabelTranslations:
    """WTForms translations read from our catalogues (`Meta.get_translations`).

    Plural messages go straight to the catalogue: Flask-Babel's `ngettext` would
    format them with `num` only, and WTForms formats them itself afterwards.
    """

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


TRANSLATIONS = BabelTranslations()
