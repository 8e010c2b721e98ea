"""The event period a case keeps: from a day, or a year and perhaps a month, approximate
or not; nothing from nothing."""

from __future__ import annotations

from datetime import date

import pytest

from workflows.case_facts import event_period, period_bounds


@pytest.mark.parametrize(("answers", "expected"), [
    ({"violation_date": "2005-03-14"}, ("2005-03-14", "2005-03-14", "day", False)),
    ({"violation_date": "2005-03-14", "event_year": 2001}, ("2005-03-14", "2005-03-14", "day",
                                                           False)),
    ({"event_year": 2005, "event_month": "03", "event_approximate": True},
     ("2005-03-01", "2005-03-31", "month", True)),
    ({"event_year": 2004, "event_month": "02"}, ("2004-02-01", "2004-02-29", "month", False)),
    ({"event_year": 2005}, ("2005-01-01", "2005-12-31", "year", False)),
    ({"event_year": 2005, "event_approximate": "prefer_not_to_say"},
     ("2005-01-01", "2005-12-31", "year", False)),
])
def test_event_period__the_span_the_answers_give(answers, expected):
    period = event_period(answers)
    assert (period["start"], period["end"], period["precision"], period["approximate"]) == \
        expected


@pytest.mark.parametrize("answers", [{}, {"event_month": "03"}, {"event_year": True},
                                     {"violation_date": "not a day"}, {"event_year": "2005"}])
def test_event_period__none_without_a_day_or_a_year(answers):
    assert event_period(answers) is None


def test_period_bounds__year_month_day_and_refusals():
    assert period_bounds("2005") == (date(2005, 1, 1), date(2005, 12, 31))
    assert period_bounds(" 2005-11 ") == (date(2005, 11, 1), date(2005, 11, 30))
    assert period_bounds("2005-11-30") == (date(2005, 11, 30), date(2005, 11, 30))
    for bad in ("05", "2005-00", "2005-02-30", "2005/03", "2005-3"):
        with pytest.raises(ValueError):
            period_bounds(bad)
