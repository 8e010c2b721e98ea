"""A fact-finding mission asks "what happened in Malaysia in 2005": by destination state and
event period, across every origin form, through the CLI (export and report), the API and
the report page, on the embedded store and on the real server. It gets exactly the cases
whose events overlap 2005 in Malaysia, whichever country's form they were filed on."""

from __future__ import annotations

import json
import zipfile

import pytest
from click.testing import CliRunner

from app.cli import main
from tests.case_helpers import ANSWERS, file_case
from tests.cli.test_cli_keys import _app, store  # noqa: F401  (fixture)
from tests.helpers import PASSWORD, TEST_DATA_KEY
from tests.intake_helpers import publish_shipped

BOTH = pytest.mark.parametrize(
    "store", ["mongomock", pytest.param("server", marks=pytest.mark.integration)],
    indirect=True)
MALAYSIA_2005 = ("--destination", "MY", "--event-from", "2005", "--event-to", "2005")
#: (name, form, answers beyond the common ones, selected for Malaysia in 2005)
CASES = [
    ("indonesian form, around March 2005", "id-intake",
     {"event_year": 2005, "event_month": "03", "event_approximate": True}, True),
    ("philippine form, a day in June 2005", "ph-intake", {"violation_date": "2005-06-14"}, True),
    ("malaysian form, the year 2005", "my-intake", {"event_year": 2005}, True),
    ("started late 2004, ongoing", "bd-intake", {"violation_date": "2004-12-30"}, False),
    ("malaysian form, 2006", "my-intake", {"violation_date": "2006-01-02"}, False),
    ("indonesian form, 2005 in Saudi Arabia", "id-intake",
     {"event_year": 2005, "destination_country": "SA"}, False),
    ("no date given", "my-intake", {}, False),
]


@pytest.fixture
def mission(store, monkeypatch):
    """The commands and the API on one app; the seven cases filed and routed."""
    extra, db = store
    app = _app(extra, db, TEST_DATA_KEY)
    from app import cli as cli_module

    monkeypatch.setattr(cli_module, "_build_app", lambda: app)
    svc = app.extensions["mrvrs"]
    publish_shipped(svc)
    filed = {}
    for name, form_id, answers, _selected in CASES:
        case = file_case(svc, form_id=form_id, answers={
            **ANSWERS, "consent_statistics": True, **answers})
        filed[name] = case["reference"]
    wanted = {filed[name] for name, *_rest, selected in CASES if selected}
    return app, svc, wanted


def _invoke(*args):
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result


@BOTH
def test_export__destination_and_event_period_across_forms(mission, tmp_path):
    _app_, _svc, wanted = mission
    out = tmp_path / "malaysia-2005.jsonl"
    _invoke("export", "--format", "jsonl", "--redaction", "full", *MALAYSIA_2005,
            "--include-unverified", "--out", str(out))
    with zipfile.ZipFile(out) as archive:
        rows = [json.loads(line) for line in archive.read("cases.jsonl").splitlines()]
    assert {row["reference"] for row in rows} == wanted


@BOTH
def test_report__selection_in_words_and_the_cases_counted(mission, tmp_path):
    _app_, svc, wanted = mission
    out = tmp_path / "malaysia-2005.html"
    _invoke("report", "--name", "Malaysia 2005", *MALAYSIA_2005, "--include-unverified",
            "--exact", "--redaction", "full", "--out", str(out))
    html = out.read_text()
    assert "<dt>Events</dt><dd>from January 1, 2005 to December 31, 2005" in html
    assert "Destination countries" in html and "Malaysia" in html
    assert all(reference in html for reference in wanted)
    others = set(svc.db.cases.distinct("reference")) - wanted
    assert not any(reference in html for reference in others)
    [event] = svc.audit.recent(5, action="report.completed")
    assert event["details"]["cases"] == len(wanted)
    assert event["details"]["filters"]["event_from"] == "2005-01-01"


@BOTH
def test_api__the_same_selection_by_query_parameters(mission, make_api_user):
    app, svc, wanted = mission
    token = make_api_user(svc)
    client = app.test_client()
    response = client.get("/api/v1/cases?queue=all&destination=MY&event_from=2005"
                          "&event_to=2005&limit=50",
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.json
    assert {row["reference"] for row in response.json["items"]} == wanted
    refused = client.get("/api/v1/cases?event_from=March+2005",
                         headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 400 and refused.json["error"]["fields"] == ["event_from"]
    assert "2005-03" in refused.json["error"]["message"]


@pytest.fixture
def make_api_user():
    def make(svc):
        user = svc.users.create("coordinator@example.org", PASSWORD, ["coordinator"])
        return svc.tokens.create(user["_id"], "mission test")[1]
    return make
