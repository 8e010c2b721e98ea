"""A mission reads cases through the API pseudonymised, as exports show them: by
allow-list, addressed by a handle sealed for that user, never by reference."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest

from exports.case_handles import CaseHandles, handle_key
from exports.mission_view import CASE_KEYS, ROW_KEYS
from tests import export_cases
from tests.export_cases import planted

NOTES = ("Ask the lawyer about the raid on Jalan Ipoh", "She sent the payslips by WhatsApp",
         "Verified with the shelter matron", "Shelter Harapan took her in")


@pytest.fixture
def people(svc):
    people = {}
    for name, roles, org, countries in (
            ("mission", ["mission"], None, ["MY"]), ("mission2", ["mission"], None, ["MY"]),
            ("member_mission", ["member", "mission"], "o_home", ["MY"])):
        user = {"_id": f"u_{name}", "email": f"{name}@example.org", "name": name,
                "roles": roles, "org_id": org, "countries": countries, "active": True,
                "auth_version": 1}
        svc.users.collection.insert_one(user)
        people[name] = (user, svc.tokens.create(user["_id"], "test")[1])
    return people


@pytest.fixture
def api(client, people):
    def call(url, who):
        return client.get(url, headers={"Authorization": f"Bearer {people[who][1]}"})

    return call


@pytest.fixture
def cases(svc):
    """Generated cases on the shipped forms, with everything a caseworker's record holds."""
    generated = export_cases.generate(6)
    at = datetime(2025, 5, 1, tzinfo=UTC)
    for case in generated:
        case.update(
            reporter={"anonymous": False, "user_id": "u_reporter_secret", "org_id": "o_tenaganita"},
            assignee="u_reviewer_secret", team="my-team", possible_duplicates=["MY-2024-000999"],
            events=[{"at": at, "actor": "u_reviewer_secret", "from": "in_review",
                     "to": "needs_info", "note": NOTES[0], "kind": "transition",
                     "transition": "request_info"},
                    {"at": at, "actor": "u_reporter_secret", "from": "needs_info",
                     "to": "in_review", "note": NOTES[1], "kind": "transition",
                     "transition": "provide_info"},
                    {"at": at, "actor": "u_reviewer_secret", "from": "in_review",
                     "to": "verified", "note": NOTES[2], "kind": "transition",
                     "transition": "verify"}],
            follow_ups=[{"id": "f1", "type": "referral", "responsible_org": "o_shelter_harapan",
                         "status": "done", "result": NOTES[3]}],
            attachments=[{"id": "a1", "name": "passport-scan-zubaidah.jpg", "sha256": "0" * 64}])
    return export_cases.store(svc, generated)


def _mine(cases):
    """The cases a MY mission reads: in MY, and consented to anonymous statistics."""
    return [c for c in export_cases.consented_to_statistics(cases) if c["country"] == "MY"]


def test_mission_list_and_read__pseudonymised_allow_list_only(api, cases):
    listed = api("/api/v1/cases?queue=all", "mission")
    assert listed.status_code == 200, listed.json
    rows = listed.json["items"]
    assert len(rows) == len(_mine(cases)) and all(set(row) == set(ROW_KEYS) for row in rows)
    for row in rows:
        read = api(f"/api/v1/cases/{row['pseudonym']}", "mission")
        assert read.status_code == 200, read.json
        assert set(read.json) == set(CASE_KEYS) and read.json["pseudonym"] == row["pseudonym"]
        assert set(read.json["form"]) == {"id", "version"}
    text = listed.get_data(as_text=True) + "".join(
        api(f"/api/v1/cases/{row['pseudonym']}", "mission").get_data(as_text=True)
        for row in rows)
    leaks = [c["reference"] for c in cases] + [c["_id"] for c in cases] + list(NOTES) + [
        "u_reporter_secret", "o_tenaganita", "u_reviewer_secret", "o_shelter_harapan",
        "passport-scan", "MY-2024-000999", "my-team"]
    for case in cases:
        if case["country"] == "MY":
            leaks += list(planted(int(case["_id"].removeprefix("c_gen"))).values())
    assert [leak for leak in leaks if leak in text] == []


def test_mission_read__narrative_masked_as_in_exports(api, cases):
    row = api("/api/v1/cases?queue=all", "mission").json["items"][0]
    answers = api(f"/api/v1/cases/{row['pseudonym']}", "mission").json["answers"]
    assert "[name]" in answers["narrative"] and "full_name" not in answers


def test_mission__reference_forged_or_foreign_handle__404_like_a_missing_case(
        api, cases, svc, people):
    row = api("/api/v1/cases?queue=all", "mission").json["items"][0]
    handle = row["pseudonym"]
    other_country = next(c for c in cases if c["country"] == "SG")
    sealed_out_of_scope = CaseHandles(handle_key(svc.settings.data_key),
                                      "u_mission|case").seal(other_country["_id"])
    for url, who in ((f"/api/v1/cases/{_mine(cases)[0]['reference']}", "mission"),
                     (f"/api/v1/cases/{handle}", "mission2"),
                     (f"/api/v1/cases/{handle[:-2]}AA", "mission"),
                     (f"/api/v1/cases/{sealed_out_of_scope}", "mission"),
                     ("/api/v1/cases/P-nothing", "mission")):
        assert api(url, who).status_code == 404, url
    assert api(f"/api/v1/cases/{handle}", "mission").status_code == 200


def test_mission_list__no_text_search_and_a_sealed_cursor(api, cases):
    assert api("/api/v1/cases?text=Zubaidah", "mission").status_code == 400
    assert api("/api/v1/cases?queue=unassigned", "mission").status_code == 400
    first = api("/api/v1/cases?queue=all&limit=1", "mission").json
    after = first["next_after"]
    for text in (after, after[2:]):  # neither the plain cursor nor a prefixed one
        assert b"c_gen" not in base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    second = api(f"/api/v1/cases?queue=all&limit=1&after={after}", "mission").json
    assert second["items"] and second["items"][0] != first["items"][0]
    assert api("/api/v1/cases?queue=all&after=forged", "mission").status_code == 400


def test_member_with_mission_role__mission_countries_never_widen_the_raw_view(api, cases):
    case = _mine(cases)[0]  # filed by another organisation than this member's
    assert api(f"/api/v1/cases/{case['reference']}", "member_mission").status_code == 404
    listed = api("/api/v1/cases?queue=all", "member_mission").json["items"]
    assert json.dumps(listed).count(case["reference"]) == 0


def test_mission__cases_without_consent_to_statistics_neither_listed_nor_read(
        api, cases, svc, people):
    declined = next(c for c in cases if c["country"] == "MY")
    svc.cases.cases.update_one({"_id": declined["_id"]},
                               {"$set": {"consent.statistics": False}})
    handle = CaseHandles(handle_key(svc.settings.data_key), "u_mission|case").seal(
        declined["_id"])
    listed = [row["pseudonym"] for row in api("/api/v1/cases?queue=all", "mission").json["items"]]
    assert handle not in listed
    assert api(f"/api/v1/cases/{handle}", "mission").status_code == 404
    svc.cases.cases.update_one({"_id": declined["_id"]}, {"$set": {"consent.statistics": True}})
    assert api(f"/api/v1/cases/{handle}", "mission").status_code == 200


def test_mission_read__sealed_answers_that_cannot_be_opened__no_answers_not_a_500(
        api, cases, svc):
    row = api("/api/v1/cases?queue=all", "mission").json["items"][0]
    svc.cases.cases.update_many({}, {"$set": {"sensitive": "gAAAA-not-a-token"}})
    read = api(f"/api/v1/cases/{row['pseudonym']}", "mission")
    assert read.status_code == 200 and read.json["answers"] == {}
