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

from app.cases.forms import STAGE_LABELS, options
from app.public.text import TRANSLATIONS
from exports.redaction import Level
from workflows.case_facts import period_bounds

COUNTRY_LIST = r"^\s*[A-Za-z]{2}(\s*,\s*[A-Za-z]{2})*\s*$"
REFERENCE_LIST = r"^[\sA-Za-z0-9,-]*$"
COUNTRY_MESSAGE = _l("Write two-letter country codes, with commas between several: MY, SG.")
DATE_ORDER_MESSAGE = _l("The end date is before the start date.")
PERIOD_MESSAGE = _l("Write a year, a month or a day: 2005, 2005-03 or 2005-03-14.")
TEAM_LIST = r"^\s*[a-z][a-z0-9-]*(\s*,\s*[a-z][a-z0-9-]*)*\s*$"
TEAM_MESSAGE = _l("Write team names as in the routing settings, with commas between "
                  "several: my-team, gulf-team.")

FORMAT_LABELS = {"csv": _l("CSV (a ZIP with one file per table)"),
                 "xlsx": _l("Excel workbook (XLSX)"), "jsonl": _l("JSON Lines (for programs)"),
                 "huridocs-json": _l("Events, acts, victims and perpetrators (HURIDOCS "
                                     "layout), JSON"),
                 "huridocs-csv": _l("Events, acts, victims and perpetrators (HURIDOCS "
                                    "layout), CSV in a ZIP")}
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


def _periods_in_order(form, field) -> None:
    """The event period's end is not before its start (each read as a span of days)."""
    try:
        start, _ = period_bounds(form.event_from.data or "")
        _, end = period_bounds(field.data or "")
    except ValueError:
        return
    if end < start:
        raise ValidationError(DATE_ORDER_MESSAGE)


def _real_period(form, field) -> None:
    """A year, a month or a day that exists (2005-13 is refused like "March 2005")."""
    if field.data and field.data.strip():
        try:
            period_bounds(field.data)
        except ValueError:
            raise ValidationError(PERIOD_MESSAGE) from None


class _CaseFacts:
    """What a mission selects by besides the filing period: where and when it happened,
    and which team handles the case."""

    destination = StringField(_l("Destination state (where it happened)"), validators=[
        Optional(), Regexp(COUNTRY_LIST, message=COUNTRY_MESSAGE)])
    event_from = StringField(_l("Events from"), validators=[
        Optional(), _real_period],
        description=_l("A year, a month or a day: 2005, 2005-03 or 2005-03-14. A case is "
                       "included when what it reports happened in the period."))
    event_to = StringField(_l("Events until"), validators=[
        Optional(), _real_period, _periods_in_order])
    team = StringField(_l("Handling team"), validators=[
        Optional(), Regexp(TEAM_LIST, message=TEAM_MESSAGE)])

    def fact_params(self) -> dict[str, str | None]:
        """These fields as `filter_params` takes them."""
        return {"destination": self.destination.data, "team": self.team.data,
                "event_from": self.event_from.data, "event_to": self.event_to.data}


def _listed(text: str | None, upper: bool = False) -> list[str]:
    """The values of a comma-separated field, trimmed (upper-cased for country codes)."""
    items = (item.strip() for item in (text or "").split(","))
    return [item.upper() if upper else item for item in items if item]


class ExportForm(_Translated, _CaseFacts, FlaskForm):
    country = StringField(_l("Country handling the case"), validators=[
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
        return filter_params(country=self.country.data, origin=self.origin.data,
                             stage=self.stage.data, start=self.date_from.data,
                             end=self.date_to.data, **self.fact_params())


def filter_params(*, country=None, destination=None, origin=None, team=None, stage=None,
                  start=None, end=None, event_from=None,
                  event_to=None) -> dict[str, list[str] | str]:
    params: dict[str, list[str] | str] = {}
    for key, text in (("country", country), ("destination", destination), ("origin", origin),
                      ("team", team)):
        if values := _listed(text, upper=key != "team"):
            params[key] = values
    for key, text in (("event_from", event_from), ("event_to", event_to)):
        if text and text.strip():
            params[key] = text.strip()
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
    event_year = StringField(_l("Year of the events"), validators=[
        Optional(), Regexp(r"^\s*(19|20)\d{2}\s*$", message=_l("Write a year such as 2005."))],
        description=_l("What happened in that year, whenever it was reported."))
    origin = SelectField(_l("Country of origin"), choices=[], default="", validate_choice=True)


class ReportForm(_Translated, _CaseFacts, FlaskForm):
    name = StringField(_l("Mission name"), validators=[DataRequired(), Length(max=200)])
    countries = StringField(_l("Countries handling the cases"), validators=[
        Optional(), Regexp(COUNTRY_LIST, message=COUNTRY_MESSAGE)],
        description=_l("Leave empty for every country you may see: MY, SG"))
    origin = StringField(_l("Country of origin"), validators=[
        Optional(), Regexp(COUNTRY_LIST, message=COUNTRY_MESSAGE)])
    date_from = DateField(_l("Filed from"), validators=[Optional()])
    date_to = DateField(_l("Filed until"), validators=[Optional(), _dates_in_order])
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
                             start=self.date_from.data, end=self.date_to.data,
                             **self.fact_params())

    def selected(self) -> tuple[str, ...]:
        found = (part.strip().upper() for part in
                 (self.references.data or "").replace(",", "\n").splitlines())
        return tuple(dict.fromkeys(p for p in found if p))
