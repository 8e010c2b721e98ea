"""The forms of the case screens: queue filters, claim, assign, transitions, notes.

Every posting form carries the case version it was rendered with, so an action
taken on an out-of-date page ends in a conflict instead of overwriting someone
else's work. Transition forms are built per transition from its requirements,
so a form asks exactly for the data the stage graph needs and nothing more.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    Form,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from app.public.text import TRANSLATIONS
from workflows.case_service import MAX_APPROVED_TEXT
from workflows.follow_ups import STATUSES, TYPES
from workflows.stages import Requirement, Transition

REFERENCE_REGEX = r"^\s*[A-Za-z]{2}-\d{4}-\d{6}\s*$"
NOTE_MAX = 10_000

#: The warning signs routing reads (forms.vocabulary.FLAGS), in words.
FLAG_LABELS = {
    "risk_to_life": _l("risk to life"),
    "detention": _l("detention"),
    "trafficking": _l("signs of trafficking"),
    "minor": _l("a minor"),
}

#: The caseworker a person asked for (workflows.intake.caseworker_request), in words.
CASEWORKER_GENDERS = {
    "woman": _l("a woman"),
    "man": _l("a man"),
    "non_binary": _l("a non-binary person"),
    "same_gender": _l("same gender as the person"),
}

#: What reviewers call each stage; a stage added in configuration shows its own name.
STAGE_LABELS = {
    "submitted": _l("Submitted"),
    "in_review": _l("In review"),
    "needs_info": _l("Waiting for information"),
    "verified": _l("Verified"),
    "follow_up": _l("Follow-up"),
    "closed": _l("Closed"),
    "rejected": _l("Rejected"),
    "duplicate": _l("Duplicate"),
}
#: transition name -> (button label, note label); unknown names fall back to the name.
TRANSITION_TEXT = {
    "request_info": (_l("Ask for information"), _l("What information is needed?")),
    "provide_info": (_l("Send the information"), _l("Your answer")),
    "verify": (_l("Verify"), _l("Note (optional)")),
    "reject": (_l("Reject"), _l("Note (optional)")),
    "mark_duplicate": (_l("Mark as duplicate"), _l("Note (optional)")),
    "start_follow_up": (_l("Start follow-up"), _l("Note (optional)")),
    "close": (_l("Close the case"), _l("Note (optional)")),
    "reopen": (_l("Reopen"), _l("Why is it reopened?")),
}
REQUIREMENT_LABELS = {
    "reason": _l("Reason"),
    "duplicate_of": _l("Reference of the original case"),
    "outcome": _l("Outcome"),
}
OUTCOMES = {
    "resolved": _l("Resolved"),
    "referred": _l("Referred"),
    "unresolved": _l("Unresolved"),
    "withdrawn": _l("Withdrawn"),
}
#: Labels of the follow-up types and statuses of `workflows.follow_ups`.
FOLLOW_UP_TYPES = {
    "legal_aid_referral": _l("Legal aid referral"),
    "embassy_intervention": _l("Embassy or consulate intervention"),
    "shelter": _l("Shelter"),
    "labour_complaint": _l("Labour complaint"),
    "repatriation_support": _l("Repatriation support"),
    "medical_psychosocial_care": _l("Medical or psychosocial care"),
    "other": _l("Other"),
}
FOLLOW_UP_STATUSES = {
    "planned": _l("Planned"),
    "in_progress": _l("In progress"),
    "done": _l("Done"),
    "cancelled": _l("Cancelled"),
}


def options(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def _choices(labels, values) -> list[SelectChoice]:
    """Every value the workflow accepts, with our label or, for a new one, its name."""
    return options((v, labels.get(v, v.replace("_", " "))) for v in values)


def transition_text(name: str) -> tuple[str, str]:
    button, note = TRANSITION_TEXT.get(name, (name.replace("_", " ").capitalize(),
                                              _l("Note (optional)")))
    return str(button), str(note)


class CaseForm(FlaskForm):
    """A posting form about one case, at the version the page showed."""

    class Meta:
        def get_translations(self, form):
            return TRANSLATIONS

    version = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,9}$")])


class ClaimForm(CaseForm):
    submit = SubmitField(_l("Claim this case"))


class AssignForm(CaseForm):
    assignee = SelectField(_l("Assign to"), choices=[], validate_choice=True)
    submit = SubmitField(_l("Assign"))


class NoteForm(CaseForm):
    text = TextAreaField(_l("Internal note"), validators=[DataRequired(), Length(max=NOTE_MAX)])
    submit = SubmitField(_l("Add the note"))


class NarrativeForm(CaseForm):
    text = TextAreaField(_l("Redacted narrative, as it may leave the system"),
                         validators=[DataRequired(), Length(max=MAX_APPROVED_TEXT)],
                         description=_l("Names, places, agencies and anything else that could "
                                        "identify someone are replaced by [name], "
                                        "[location] and the like."))
    submit = SubmitField(_l("Approve this version for reports and exports"))


class FollowUpForm(CaseForm):
    type = SelectField(_l("Kind of action"), choices=_choices(FOLLOW_UP_TYPES, TYPES))
    responsible_org = StringField(_l("Responsible organisation"),
                                  validators=[DataRequired(), Length(max=200)])
    due = DateField(_l("Due date"), validators=[DataRequired()])
    submit = SubmitField(_l("Add the action"))


class FollowUpUpdateForm(CaseForm):
    status = SelectField(_l("Status"), choices=_choices(FOLLOW_UP_STATUSES, STATUSES))
    result = TextAreaField(_l("Result"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Update the action"))


class MarkReadForm(FlaskForm):
    notification = HiddenField(validators=[Optional(), Length(max=80)])
    submit = SubmitField(_l("Mark as read"))


def transition_form_class(transition: Transition) -> type[CaseForm]:
    """A form asking for exactly what `transition` requires, plus an optional note."""
    button, note_label = transition_text(transition.name)
    attrs = {r.field: _requirement_field(r, note_label) for r in transition.requires}
    if "note" not in attrs:
        attrs["note"] = TextAreaField(note_label, validators=[Optional(), Length(max=NOTE_MAX)])
    attrs["submit"] = SubmitField(button)
    return type(f"{transition.name.title().replace('_', '')}Form", (CaseForm,), attrs)


def _requirement_field(requirement: Requirement, note_label: str):
    if requirement.kind == "one_of":
        choices = [(c, str(OUTCOMES.get(c, c))) for c in requirement.choices]
        return SelectField(REQUIREMENT_LABELS.get(requirement.field, requirement.field),
                           choices=options([("", _l("— choose —")), *choices]),
                           validators=[InputRequired()])
    if requirement.kind == "reference":
        return StringField(REQUIREMENT_LABELS.get(requirement.field, requirement.field),
                           validators=[DataRequired(), Regexp(REFERENCE_REGEX, message=_l(
                               "Write a case reference such as MY-2026-000042."))],
                           render_kw={"spellcheck": "false", "autocomplete": "off"})
    label = note_label if requirement.field == "note" else \
        REQUIREMENT_LABELS.get(requirement.field, requirement.field)
    return TextAreaField(label, validators=[DataRequired(), Length(max=NOTE_MAX)])


def transition_data(form: CaseForm, transition: Transition) -> dict[str, str]:
    """The data to hand to the service: the required fields and a note when given."""
    names = [r.field for r in transition.requires]
    if "note" not in names:
        names.append("note")
    data = {name: (getattr(form, name).data or "").strip() for name in names}
    if data.get("duplicate_of"):
        data["duplicate_of"] = data["duplicate_of"].upper()
    return {k: v for k, v in data.items() if v or k in {r.field for r in transition.requires}}


class QueueFilterForm(Form):
    """The GET form above a queue; values are checked here and again by the queue."""

    class Meta:
        csrf = False

        def get_translations(self, form):
            return TRANSLATIONS

    queue = SelectField(_l("Queue"), choices=[], validate_choice=True)
    text = StringField(_l("Search"), validators=[Optional(), Length(max=100)],
                       description=_l("Words from the reference, local terms and answers "
                                      "that are not sensitive."))
    country = StringField(_l("Country (two-letter code)"),
                          validators=[Optional(), Regexp(r"^[A-Za-z]{2}$")])
    stage = SelectField(_l("Stage"), choices=[], default="", validate_choice=True)
    mwc = StringField(_l("MWC article"), validators=[Optional(), Regexp(
        r"^\s*(?:[Mm][Ww][Cc][-\s]?)?\d{1,3}\s*$",
        message=_l("Write an article number such as 21 or MWC-21."))])
    gender = SelectField(_l("Gender"), choices=[], default="", validate_choice=True)
    priority = SelectField(_l("Priority"), choices=[], default="", validate_choice=True)
    date_from = DateField(_l("Received from"), validators=[Optional()])
    date_to = DateField(_l("Received until"), validators=[Optional()])
    overdue = BooleanField(_l("Overdue only"))
    sort = SelectField(_l("Sort by"), choices=[], default="received", validate_choice=True)
