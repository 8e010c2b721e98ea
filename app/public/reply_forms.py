"""The forms of the report page: answer the caseworker, change consent, leave.

None of them carries the reference or the code: the case comes from the server-side
grant (`app.public.status_access`), and the CSRF token ties each post to the session.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from app.public.support import PublicForm
from forms.schema import text_direction
from forms.vocabulary import CONSENT_PURPOSES
from workflows.reporter_messages import MAX_MESSAGE

#: Files of a reply are posted under this name.
FILES_FIELD = "files"

#: What each consent means, for a form that does not ask about it in its own words.
CONSENT_WORDS = {
    "case_work": _l("You may keep this report and work on the case with me."),
    "referral": _l("You may pass my case to a partner who can help, such as a lawyer, a "
                   "shelter or my embassy."),
    "statistics": _l("You may count my case, without my name, in anonymous statistics."),
    "advocacy": _l("You may describe what happened to me, without my name, in public "
                   "reports and campaigns."),
}


class ReplyForm(PublicForm):
    text = TextAreaField(_l("Your answer"), validators=[Optional(), Length(max=MAX_MESSAGE)])
    submit = SubmitField(_l("Send the answer"))


class ConsentForm(PublicForm):
    purpose = HiddenField(validators=[DataRequired(), AnyOf(CONSENT_PURPOSES)])
    given = HiddenField(validators=[DataRequired(), AnyOf(("yes", "no"))])


class LeaveForm(PublicForm):
    submit = SubmitField(_l("Close this report on this device"))


def consent_rows(case: Mapping[str, Any], definition: Any) -> list[dict[str, Any]]:
    """Each purpose with its current consent, in the words of the case's form (in the
    filing language) when the form asks about it."""
    language = case.get("language") or "en"
    asked = {f.consent: f for f in definition.fields() if f.consent} if definition else {}
    consent = case.get("consent") or {}
    rows = []
    for purpose in CONSENT_PURPOSES:
        field = asked.get(purpose)
        if field is not None:
            label, lang = definition.text(field.label, language), language
        else:
            label, lang = str(CONSENT_WORDS[purpose]), None
        rows.append({"purpose": purpose, "label": label, "lang": lang,
                     "dir": text_direction(lang) if lang else None,
                     "given": consent.get(purpose) is True})
    return rows
