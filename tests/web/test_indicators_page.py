"""The indicators page on a generated dataset: every number checked against a count made
case by case with plain loops, per destination country, year and origin, in scope."""

from __future__ import annotations

import copy
import re
from collections import Counter
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest

from exports.indicator_grids import Words
from forms.mwc import load_taxonomy
from tests import export_cases
from tests.unit.exports.export_factories import expected_durations

COUNT = 90
GENDERS = ["woman", "man", "non_binary", "other", "undisclosed", None]
COUNTABLE = set(load_taxonomy().violation_codes())


class Tables(HTMLParser):
    """Cell texts of every table with an id, row by row."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id"):
            self._table = dict(attrs)["id"]
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._table and self._cell is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture
def dataset(svc):
    return export_cases.store(svc, export_cases.generate(COUNT, seed=3))


def page(client, **args):
    response = client.get("/exports/indicators", query_string=args)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def body(tables, key):
    """Rows below the header, keyed by their first cell, with the numbers as ints."""
    return {row[0]: [int(c) for c in row[1:]] for row in tables.tables[key][1:]}


def chosen(dataset, destination, year=None, origin=None):
    return [c for c in export_cases.statistics_cases(dataset)
            if c["dimensions"]["destination_country"] == destination
            and (year is None or c["created_at"].year == year)
            and (origin is None or c["dimensions"]["nationality"] == origin)]


def article_rows(cases):
    """Article label -> violations per gender and in all, counted case by case."""
    words = Words()
    rows: dict[str, list[int]] = {}
    for case in cases:
        gender = case["dimensions"]["gender"]
        for article in {n for n in case["mwc"] if n in COUNTABLE}:
            line = rows.setdefault(words.article(article), [0] * (len(GENDERS) + 1))
            line[GENDERS.index(gender)] += 1
            line[-1] += 1
    return rows


@pytest.mark.parametrize(("destination", "year", "origin"), [
    ("MY", None, None), ("SG", None, None), ("MY", 2025, None), ("MY", None, "ID"),
    ("SG", 2024, "PH"),
])
def test_numbers__match_an_independent_count(client, login_as, dataset, destination, year,
                                             origin):
    login_as("coordinator")
    args = {"destination": destination, "year": year or "", "origin": origin or ""}
    html = page(client, **args)
    tables = Tables(html)
    cases = chosen(dataset, destination, year, origin)
    expected = article_rows(cases)
    shown = body(tables, "table-by_article_gender")
    assert shown.pop("Total") == [sum(line[i] for line in expected.values())
                                  for i in range(len(GENDERS) + 1)]
    assert shown == expected
    outcomes = Counter((c["outcome"], c["dimensions"]["gender"]) for c in cases)
    words = Words()
    by_outcome = body(tables, "table-by_outcome")
    for (outcome, gender), n in outcomes.items():
        assert by_outcome[words.row("by_outcome", outcome)[0]][GENDERS.index(gender)] == n
    assert by_outcome["Total"][-1] == len(cases)
    assert f"{len(cases)} cases counted." in html
    durations = {row[0]: row[1] for row in tables.tables["table-durations"][1:]}
    verification, closure = expected_durations(cases)
    assert durations["Filing to verification"] == ("—" if verification is None
                                                   else str(verification))
    assert durations["Filing to closure"] == ("—" if closure is None else str(closure))


def test_per_year__every_year_with_its_count_and_trend(client, login_as, dataset):
    login_as("coordinator")
    tables = Tables(page(client, destination="MY"))
    cases = chosen(dataset, "MY")
    per_year = Counter()
    for case in cases:
        per_year[case["created_at"].year] += len({n for n in case["mwc"] if n in COUNTABLE})
    shown = {int(k): v[-1] for k, v in body(tables, "table-per_year").items() if k != "Total"}
    assert shown == {y: per_year.get(y, 0) for y in shown} and set(per_year) <= set(shown)
    trend = tables.tables["table-trend"][1:]
    assert [int(row[1]) for row in trend] == [shown[y] for y in sorted(shown)]
    assert trend[1][2] == f"{shown[2025] - shown[2024]:+d}"


def test_perpetrators__counted_under_each_but_once_in_the_total(client, login_as, dataset):
    login_as("coordinator")
    tables = Tables(page(client, destination="SG"))
    cases = chosen(dataset, "SG")
    words = Words()
    expected = Counter()
    for case in cases:
        weight = len({n for n in case["mwc"] if n in COUNTABLE})
        named = case["dimensions"]["perpetrator_type"] or [None]  # none named: not recorded
        for who in dict.fromkeys(named) if weight else ():
            expected[words.row("by_perpetrator", who)[0]] += weight
    shown = body(tables, "table-by_perpetrator")
    total = shown.pop("Total")[-1]
    assert {k: v[-1] for k, v in shown.items()} == dict(expected)
    assert total == sum(len({n for n in c["mwc"] if n in COUNTABLE}) for c in cases)


def test_consent__left_out_cases_said_and_charts_drawn(client, login_as, dataset):
    login_as("coordinator")
    html = page(client, destination="MY")
    declined = sum(1 for c in export_cases.counted_cases(dataset)
                   if c["dimensions"]["destination_country"] == "MY"
                   and c["consent"]["statistics"] is False)
    assert f"{declined} cases left out: the reporter did not consent" in html
    assert html.count('src="data:image/svg+xml;base64,') >= 3
    assert 'alt="Violations by MWC article. MWC-' in html


def test_scope__mission_sees_only_its_countries(client, login_as, dataset):
    login_as("mission", countries=["SG"])
    html = page(client)
    assert 'value="SG"' in html and 'value="MY"' not in html
    assert [row[0] for row in Tables(html).tables["table-overview"][1:]] == ["Singapore",
                                                                           "Total"]
    assert client.get("/exports/indicators?destination=MY").status_code == 400


@pytest.mark.parametrize("query", ["destination[$ne]=MY", "destination=%24ne",
                                   "year=2025&origin[$in]=ID"])
def test_bad_input__refused(client, login_as, dataset, query):
    login_as("coordinator")
    assert client.get(f"/exports/indicators?{query}").status_code == 400


def test_no_cases__says_so(client, login_as):
    login_as("mission", countries=["KR"])
    assert "There are no cases you may see yet." in page(client)


def test_overview__first_every_country_by_name_split_by_gender(client, login_as, dataset):
    login_as("coordinator")
    html = page(client)
    tables = Tables(html)
    assert "table-by_article_gender" not in tables.tables  # no country chosen for the user
    shown = body(tables, "table-overview")
    kept = export_cases.statistics_cases(dataset)
    expected = {}
    for code, name in (("MY", "Malaysia"), ("SG", "Singapore")):
        genders = Counter(c["dimensions"]["gender"] for c in kept
                          if c["dimensions"]["destination_country"] == code)
        expected[name] = [genders.get(g, 0) for g in GENDERS] + [sum(genders.values())]
    assert shown.pop("Total")[-1] == len(kept)
    assert shown == expected
    assert f"{len(kept)} cases counted." in html
    link = re.search(r'<a href="([^"]+)">Malaysia</a>', html).group(1)
    drill = Tables(page(client, **dict(re.findall(r"(\w+)=(\w+)", link.split("?", 1)[1]))))
    assert body(drill, "table-by_outcome")["Total"][-1] == len(chosen(dataset, "MY"))


def test_overview__countries_named_in_the_user_language(client, login_as, dataset):
    login_as("coordinator")
    client.get("/language?lang=ms&next=/")
    html = page(client)
    names = [row[0] for row in Tables(html).tables["table-overview"][1:-1]]
    assert names == ["Malaysia", "Singapura"]
    assert '<h2 id="country">Singapura</h2>' in page(client, destination="SG")


def test_per_year__current_year_partial_without_a_trend(client, login_as, svc, dataset):
    now = datetime.now(UTC)
    recent = copy.deepcopy(next(c for c in export_cases.statistics_cases(dataset)
                                if c["dimensions"]["destination_country"] == "MY"))
    recent.update(_id="c_recent", reference=f"MY-{now.year}-999999", created_at=now,
                  updated_at=now)
    export_cases.store(svc, [recent])
    login_as("coordinator")
    tables = Tables(page(client, destination="MY"))
    trend = {row[0]: row[1:] for row in tables.tables["table-trend"][1:]}
    assert trend[f"{now.year} (partial)"][1:] == ["", ""]  # counted, but no change
    assert str(now.year - 1) in trend and f"{now.year - 1} (partial)" not in trend
    assert f"{now.year} (partial)" in body(tables, "table-per_year")
