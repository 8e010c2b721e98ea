"""The forms of the export pages: an export, the indicators filter and a mission report.

Each form checks its values strictly (two-letter country codes, days, known
choices, case references) and `to_params` turns them into the plain texts that
`exports.filters.parse_filter` reads, so a request value only ever reaches a query
as a checked plain value. A date range ending before it starts is refused beside
the end date, in the page's language.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    Form,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from app.case_forms import STAGE_LABELS, options
from app.intake_text import TRANSLATIONS
from exports.redaction import Level

COUNTRY_LIST = r"^\s*[A-Za-z]{2}(\s*,\s*[A-Za-z]{2})*\s*$"
REFERENCE_LIST = r"^[\sA-Za-z0-9,-]*$"
COUNTRY_MESSAGE = _l("Write two-letter country codes, with commas between several: MY, SG.")
DATE_ORDER_MESSAGE = _l("The end date is before the start date.")

FORMAT_LABELS = {"csv": _l("CSV (a ZIP with one file per table)"),
                 "xlsx": _l("Excel workbook (XLSX)"), "jsonl": _l("JSON Lines (for programs)")}
LEVEL_LABELS = {
    Level.PSEUDONYMISED.value: _l("Pseudonymised: no names, contacts or document numbers"),
    Level.AGGREGATE.value: _l("Aggregate: indicator tables only"),
    Level.FULL.value: _l("Full: every answer, sensitive ones included"),
}
PURPOSE_LABELS = {"statistics": _l("Anonymous statistics"),
                  "advocacy": _l("Public advocacy"),
                  "referral": _l("Referral to partners"),
                  "case_work": _l("Case work")}


class _Translated:
    class Meta:
        def get_translations(self, form):
            return TRANSLATIONS


def _dates_in_order(form, field) -> None:
    start = form.date_from.data
    if start is not None and field.data is not None and field.data < start:
        raise ValidationError(DATE_ORDER_MESSAGE)


def _countries(text: str | None) -> list[str]:
    return [c.strip().upper() for c in (text or "").split(",") if c.strip()]


class ExportForm(_Translated, FlaskForm):
    country = StringField(_l("Country handling the case"), validators=[
        Optional(), Regexp(COUNTRY_LIST, message=COUNTRY_MESSAGE)])
    destination = StringField(_l("Country of work"), validators=[
        Optional(), Regexp(COUNTRY_LIST, message=COUNTRY_MESSAGE)])
    origin = StringField(_l("Country of origin"), validators=[
        Optional(), Regexp(COUNTRY_LIST, message=COUNTRY_MESSAGE)])
    stage = SelectField(_l("Stage"), choices=[], default="", validate_choice=True)
    date_from = DateField(_l("Filed from"), validators=[Optional()])
    date_to = DateField(_l("Filed until"), validators=[Optional(), _dates_in_order])
    fmt = SelectField(_l("Format"), choices=options(FORMAT_LABELS.items()), default="csv")
    level = SelectField(_l("Redaction"), choices=[], validate_choice=True)
    purpose = SelectField(_l("Purpose"), choices=options(PURPOSE_LABELS.items()),
                          default="statistics",
                          description=_l("Cases whose reporter did not consent to this "
                                         "purpose are left out, and the file says how many."))
    bom = BooleanField(_l("CSV for spreadsheet programs (with a byte order mark)"))
    unverified = BooleanField(_l("Include cases still in review (not yet verified)"),
                              description=_l("Duplicates and rejected cases are never "
                                             "included; the file says how many cases were "
                                             "left out, and why."))
    submit = SubmitField(_l("Export"))

    def setup(self, levels: list[str]) -> ExportForm:
        self.stage.choices = options([("", _l("any")), *STAGE_LABELS.items()])
        self.level.choices = options((v, LEVEL_LABELS[v]) for v in LEVEL_LABELS if v in levels)
        return self

    def to_params(self) -> dict[str, list[str] | str]:
        """The filter as `parse_filter` reads it: checked plain texts only."""
        return filter_params(country=self.country.data, destination=self.destination.data,
                             origin=self.origin.data, stage=self.stage.data,
                             start=self.date_from.data, end=self.date_to.data)


def filter_params(*, country=None, destination=None, origin=None, stage=None, start=None,
                  end=None) -> dict[str, list[str] | str]:
    params: dict[str, list[str] | str] = {}
    for key, text in (("country", country), ("destination", destination), ("origin", origin)):
        if _countries(text):
            params[key] = _countries(text)
    if stage:
        params["stage"] = [str(stage)]
    if start is not None:
        params["from"] = start.isoformat()
    if end is not None:
        params["to"] = end.isoformat()
    return params


class IndicatorFilterForm(_Translated, Form):
    """The GET form above the indicators: destination, year, origin."""

    class Meta:
        csrf = False

    destination = SelectField(_l("Country of work"), choices=[], validate_choice=True)
    year = SelectField(_l("Year of filing"), choices=[], default="", validate_choice=True)
    origin = SelectField(_l("Country of origin"), choices=[], default="", validate_choice=True)


class ReportForm(_Translated, FlaskForm):
    name = StringField(_l("Mission name"), validators=[DataRequired(), Length(max=200)])
    countries = StringField(_l("Countries"), validators=[
        DataRequired(), Regexp(COUNTRY_LIST, message=COUNTRY_MESSAGE)],
        description=_l("Where the cases are handled: MY, SG"))
    origin = StringField(_l("Country of origin"), validators=[
        Optional(), Regexp(COUNTRY_LIST, message=COUNTRY_MESSAGE)])
    date_from = DateField(_l("Filed from"), validators=[DataRequired()])
    date_to = DateField(_l("Filed until"), validators=[DataRequired(), _dates_in_order])
    level = SelectField(_l("Redaction"), choices=[], validate_choice=True)
    references = TextAreaField(_l("Cases to summarise"), validators=[
        Optional(), Length(max=2000), Regexp(REFERENCE_LIST)],
        description=_l("Case references, one per line; only cases whose reporter consented "
                       "to public advocacy are summarised."))
    exact = BooleanField(_l("Exact counts for internal use (small counts are not hidden)"))
    unverified = BooleanField(_l("Include cases still in review (not yet verified)"),
                              description=_l("Duplicates and rejected cases are never "
                                             "counted; the report says how many cases were "
                                             "left out, and why."))
    submit = SubmitField(_l("Build the report"))

    def setup(self, levels: list[str]) -> ReportForm:
        self.level.choices = options((v, LEVEL_LABELS[v]) for v in LEVEL_LABELS if v in levels)
        return self

    def to_params(self) -> dict[str, list[str] | str]:
        return filter_params(country=self.countries.data, origin=self.origin.data,
                             start=self.date_from.data, end=self.date_to.data)

    def selected(self) -> tuple[str, ...]:
        found = (part.strip().upper() for part in
                 (self.references.data or "").replace(",", "\n").splitlines())
        return tuple(dict.fromkeys(p for p in found if p))
