"""The indicators page lists the registry entities most counted cases are linked to:
counts checked case by case, private employers and small counts never named, the
caution beside them, and a mission's scope respected."""

from __future__ import annotations

import pytest

from tests import export_cases, registry_links
from tests.registry_links import AGENCY, COMPANY, HOUSEHOLD, SMALL
from tests.web.test_indicators_page import Tables

COUNT = 60
CAUTION = "They are not findings of a court or of any authority."


@pytest.fixture
def dataset(svc):
    registry_links.store_entities(svc)
    cases = registry_links.link(export_cases.generate(COUNT, seed=11))
    return export_cases.store(svc, cases)


def entity_rows(html: str) -> dict[str, int]:
    rows = Tables(html).tables.get("table-entities", [])[1:]
    return {row[0]: int(row[-1]) for row in rows}


def counted(dataset, destination=None):
    return [c for c in export_cases.statistics_cases(dataset)
            if destination is None or c["dimensions"]["destination_country"] == destination]


def test_overview__names_agencies_and_licensed_employers_with_their_counts(client, login_as,
                                                                          dataset):
    login_as("coordinator")
    html = client.get("/exports/indicators").get_data(as_text=True)
    cases = counted(dataset)
    assert registry_links.linked_count(cases, HOUSEHOLD) >= 5  # large enough to be named
    assert entity_rows(html) == {AGENCY["name"]: registry_links.linked_count(cases, AGENCY),
                                 COMPANY["name"]: registry_links.linked_count(cases, COMPANY)}
    assert HOUSEHOLD["name"] not in html and SMALL["name"] not in html
    assert CAUTION in html
    assert list(entity_rows(html).values()) == sorted(entity_rows(html).values(), reverse=True)


@pytest.mark.parametrize("destination", ["MY", "SG"])
def test_destination_page__counts_only_its_cases(client, login_as, dataset, destination):
    login_as("coordinator")
    html = client.get("/exports/indicators",
                      query_string={"destination": destination}).get_data(as_text=True)
    cases = counted(dataset, destination)
    expected = {e["name"]: registry_links.linked_count(cases, e) for e in (AGENCY, COMPANY)}
    assert entity_rows(html) == {name: n for name, n in expected.items() if n >= 5}
    assert HOUSEHOLD["name"] not in html and CAUTION in html


def test_mission__counts_only_its_destination_states(client, login_as, dataset):
    login_as("mission", countries=["SG"])
    html = client.get("/exports/indicators").get_data(as_text=True)
    cases = [c for c in counted(dataset) if c["dimensions"]["destination_country"] == "SG"]
    expected = {e["name"]: registry_links.linked_count(cases, e) for e in (AGENCY, COMPANY)}
    assert entity_rows(html) == {name: n for name, n in expected.items() if n >= 5}
    assert HOUSEHOLD["name"] not in html


def test_no_links__says_no_entity_can_be_named(client, login_as, svc):
    export_cases.store(svc, export_cases.generate(12, seed=2))
    login_as("coordinator")
    html = client.get("/exports/indicators").get_data(as_text=True)
    assert "No entity of the registry can be named for these cases." in html
    assert "table-entities" not in html
