"""Issue 15, "done when" #2, on the real server (FerretDB 2): a case filed with an
origin-country organisation and handled by its team is shared with the destination
team for legal aid, accepted, acted on by that team within its share (a follow-up
action), and refused to everyone else; two acceptances at once settle to one."""

from __future__ import annotations

import re
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.handover_helpers import (
    actor,
    answer_by_page,
    seed_handover,
    share_by_page,
    signed_in,
    version_on,
)
from tests.helpers import PASSWORD, base_environ
from workflows.errors import StaleVersion
from workflows.sweeps import expire_shares

pytestmark = pytest.mark.integration


@pytest.fixture
def app(mongo_uri):
    from app import create_app
    from config.settings import load_settings

    name = f"mrvrs_test_{uuid.uuid4().hex[:10]}"
    application = create_app(load_settings(base_environ(MRVRS_MONGO_URI=mongo_uri,
                                                        MRVRS_DB_NAME=name)))
    svc = application.extensions["mrvrs"]
    yield application
    svc.db.client.drop_database(name)
    svc.db.client.close()


def _html(response) -> str:
    return response.get_data(as_text=True)


def test_shared_with_the_destination_team__acted_on_within_the_share__refused_to_others(app):
    svc = app.extensions["mrvrs"]
    seed = seed_handover(svc)
    people = seed.people
    # a reviewer of another destination team, and the Taiwanese organisation's staff,
    # which the share does not name (it names the Taiwanese team)
    people["reviewer_other_team"] = svc.users.create("kl@handover.example", PASSWORD,
                                                     ["reviewer"], countries=["MY"])
    case = seed.current("shared")
    assert case["team"] == "id-team" and case["country"] == "ID"
    assert case["dimensions"]["destination_country"] == "TW"
    reference = case["reference"]
    case = svc.workflow.transition(case, "verify", actor(people["reviewer_handling"]), {},
                                   case["version"])

    home = signed_in(app, people["reviewer_handling"])
    assert share_by_page(home, reference).status_code == 302
    share_id = seed.current("shared")["shares"][0]["id"]

    destination = signed_in(app, people["reviewer_receiving"])
    assert reference in _html(destination.client.get("/cases/shared"))
    assert answer_by_page(destination, reference, share_id, accept=True).status_code == 302

    page = f"/cases/{reference}"
    html = _html(destination.client.get(page))
    assert 'data-access="full"' in html and "Dewi Lestari" in html
    assert "transitions/" not in html
    acted = destination.post(f"{page}/follow-ups", {
        "fu-type": "legal_aid_referral", "fu-responsible_org": "Taiwan labour lawyer",
        "fu-due": (datetime.now(UTC) + timedelta(days=14)).date().isoformat(),
        "fu-version": version_on(html, "fu")}, page=page, prefix="fu")
    assert acted.status_code == 302, _html(acted)
    stored = seed.current("shared")
    assert stored["follow_ups"][0]["created_by"] == people["reviewer_receiving"]["_id"]
    assert stored["stage"] == "verified" and stored["team"] == "id-team"
    step = destination.post(f"{page}/transitions/start_follow_up",
                            {"start_follow_up-version": str(stored["version"])},
                            page=page, prefix="start_follow_up")
    assert step.status_code in (403, 404)
    assert seed.current("shared")["stage"] == "verified"

    for name in ("reviewer_third", "reviewer_other_team", "member_other", "org_tw", "reporter",
                 "mission", "admin"):
        other = signed_in(app, people[name])
        assert other.client.get(page).status_code in (403, 404), name
        listed = set(re.findall(r'<tr data-reference="([^"]+)"',
                                _html(other.client.get("/cases/?queue=all"))))
        assert reference not in listed, name
        assert reference not in _html(other.client.get("/cases/shared")), name
        refused = other.client.post(f"{page}/follow-ups", data={"fu-type": "shelter"})
        assert refused.status_code in (400, 403, 404), name
    assert len(seed.current("shared")["follow_ups"]) == 1

    kinds = [e.get("kind") for e in seed.current("shared")["events"]]
    assert {"share_offered", "share_accepted", "follow_up"} <= set(kinds)
    audited = {e["action"] for e in svc.db.audit_events.find({"target": case["_id"]})}
    assert {"case.share_offered", "case.share_accepted"} <= audited


def test_two_acceptances_at_once__one_stands(app):
    svc = app.extensions["mrvrs"]
    seed = seed_handover(svc)
    second = svc.users.create("tw2@handover.example", PASSWORD, ["reviewer"], countries=["TW"])
    expires = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    offered = svc.workflow.share(seed.current("shared"), actor(seed.people["reviewer_handling"]),
                                 {"kind": "team", "key": "tw-team", "purpose": "legal_aid",
                                  "access": "full", "expires": expires}, {})
    share_id = offered["shares"][0]["id"]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept(user) -> None:
        barrier.wait()
        try:
            svc.workflow.decide_share(offered, actor(user), share_id, True)
            outcomes.append("accepted")
        except StaleVersion:
            outcomes.append("conflict")

    threads = [threading.Thread(target=accept, args=(u,))
               for u in (seed.people["reviewer_receiving"], second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["accepted", "conflict"]
    stored = seed.current("shared")
    assert stored["version"] == offered["version"] + 1
    assert [e["kind"] for e in stored["events"]].count("share_accepted") == 1


def test_expiry_sweep__on_the_server__once(app):
    svc = app.extensions["mrvrs"]
    seed = seed_handover(svc)
    expires = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    offered = svc.workflow.share(seed.current("shared"), actor(seed.people["reviewer_handling"]),
                                 {"kind": "team", "key": "tw-team", "purpose": "shelter",
                                  "access": "full", "expires": expires}, {})
    svc.workflow.decide_share(offered, actor(seed.people["reviewer_receiving"]),
                              offered["shares"][0]["id"], True)
    later = datetime.now(UTC) + timedelta(days=3)
    svc.workflow.clock = lambda: later
    assert expire_shares(svc.workflow, later, svc.audit.record) == 1
    assert expire_shares(svc.workflow, later, svc.audit.record) == 0
    stored = seed.current("shared")
    assert stored["shares"][0]["state"] == "expired"
    expired = svc.audit.recent(action="case.share_expired")
    assert [(e["target"], e["actor"]) for e in expired] == [(stored["_id"], "system")]
    desk = signed_in(app, seed.people["reviewer_receiving"])
    assert desk.client.get(f"/cases/{stored['reference']}").status_code == 404
