"""The registry's forms: linking a case's actor, a new entity, merging and splitting.

The forms posted from the case page carry the case version (`CaseForm`); merge and
split carry the entity's revision, so a change made from an out-of-date page saves
nothing and says so. Choices are filled by the views from what the page showed.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from app.cases.forms import CaseForm
from app.public.text import TRANSLATIONS
from app.registry.words import ACTOR_LABELS, KIND_LABELS
from workflows.registry.editing import MAX_NAME, MAX_REASON
from workflows.registry.entities import KINDS
from workflows.registry.links import ACTORS

ENTITY_ID = r"^ent_[0-9a-f]{32}$"


def _options(labels: dict, keys: tuple[str, ...]) -> list[SelectChoice]:
    return [SelectChoice(key, labels[key]) for key in keys]


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LinkForm(CaseForm):
    entity_id = HiddenField(validators=[DataRequired(), Regexp(ENTITY_ID)])
    actor = HiddenField(validators=[DataRequired(), Length(max=20)])
    question = HiddenField(validators=[Optional(), Length(max=40)])
    submit = SubmitField(_l("Link"))


class UnlinkForm(CaseForm):
    entity_id = HiddenField(validators=[DataRequired(), Regexp(ENTITY_ID)])
    actor = HiddenField(validators=[DataRequired(), Length(max=20)])
    submit = SubmitField(_l("Unlink"))


class EntityFields:
    kind = SelectField(_l("Kind"), choices=_options(KIND_LABELS, KINDS))
    # Checked by `workflows.registry.editing` with the rest, so a refusal lists every
    # problem at once.
    name = StringField(_l("Name"), validators=[Length(max=MAX_NAME + 50)])
    country = StringField(_l("Country (two-letter code, such as ID or MY)"),
                          validators=[Length(max=10)])


class NewEntityForm(EntityFields, CaseForm):
    """A new entity, made on purpose and linked to the case as the actor chosen."""

    actor = SelectField(_l("Link it to this case as"), choices=_options(ACTOR_LABELS, ACTORS))
    licence = StringField(_l("Licence or registration number (optional)"),
                          validators=[Optional(), Length(max=100)])
    authority = SelectField(_l("Authority that gave the licence"), choices=[])
    submit = SubmitField(_l("Create the entity and link it"))


class EntityForm(FlaskForm):
    """A change to one entity, at the revision the page showed."""

    class Meta:
        def get_translations(self, form):
            return TRANSLATIONS

    revision = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,9}$")])
    reason = TextAreaField(_l("Why (kept in the audit log)"),
                           validators=[Optional(), Length(max=MAX_REASON)])


class MergeForm(EntityForm):
    target = SelectField(_l("Merge this entity into"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Merge"))


class SplitForm(EntityFields, EntityForm):
    aliases = CheckboxesField(_l("Aliases to move"), choices=[], validate_choice=False)
    licences = CheckboxesField(_l("Licences to move"), choices=[], validate_choice=False)
    cases = CheckboxesField(_l("Cases to move"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Split off a new entity"))
