"""The workflow API: scoped lists and reads (404 outside the scope), transitions with
409 on a concurrent change and 422 with the reason when refused, follow-up actions."""

from datetime import UTC, datetime, timedelta

import pytest

from workflows.repository import new_case_id

ACCOUNTS = {
    "reviewer": (["reviewer"], None, ["MY"]),
    "reviewer2": (["reviewer"], None, ["MY"]),
    "sg_reviewer": (["reviewer"], None, ["SG"]),
    "coordinator": (["coordinator"], None, []),
    "member": (["member"], "o_tenaganita", []),
    "other_member": (["member"], "o_home", []),
    "mission": (["mission"], None, ["MY"]),
    "admin": (["admin"], None, []),
    "reporter": (["reporter"], None, []),
}


@pytest.fixture
def people(svc):
    """API users with tokens; stored as the user store keeps them, minus a password (the
    API never asks for one, and hashing nine passwords per test is slow)."""
    people = {}
    for name, (roles, org_id, countries) in ACCOUNTS.items():
        user = {"_id": f"u_{name}", "email": f"{name}@example.org", "name": name,
                "roles": roles, "org_id": org_id, "countries": countries, "active": True,
                "auth_version": 1}
        svc.users.collection.insert_one(user)
        people[name] = (user, svc.tokens.create(user["_id"], "test")[1])
    return people


@pytest.fixture
def api(client, people):
    def call(method, url, who, **kwargs):
        headers = {"Authorization": f"Bearer {people[who][1]}"} if who else {}
        return client.open(url, method=method, headers=headers, **kwargs)

    return call


@pytest.fixture
def file_case(svc, people):
    count = iter(range(1, 1000))

    def make(route=True, **fields):
        now = datetime.now(UTC) - timedelta(minutes=next(count))
        member = people["member"][0]
        case = {"_id": new_case_id(), "reference": svc.cases.next_reference("MY", 2026),
                "country": "MY", "answers": {"narrative": "Majikan menahan pasport"},
                "sensitive": "gAAAA-sealed", "tracking_hash": "h", "duplicate_keys": ["pp:1"],
                "mwc": [21], "dimensions": {"gender": "woman", "destination_country": "MY"},
                "flags": {}, "stage": "submitted", "version": 1, "priority": "normal",
                "assignee": None, "team": None, "follow_ups": [], "language": "ms",
                "reporter": {"anonymous": False, "user_id": member["_id"],
                             "org_id": member["org_id"]},
                "events": [{"at": now, "actor": member["_id"], "from": None,
                            "to": "submitted", "note": "", "kind": "transition"}],
                "created_at": now, "updated_at": now, **fields}
        svc.cases.insert(case)
        return svc.workflow.route(case["_id"]) if route else case

    return make


def test_list__scoped_by_role(api, file_case):
    mine = file_case()
    sg = file_case(country="SG", dimensions={"destination_country": "SG"},
                   reporter={"anonymous": True, "user_id": None, "org_id": None})

    def listed(who, query=""):
        response = api("GET", f"/api/v1/cases{query}", who)
        assert response.status_code == 200, response.json
        return [row["reference"] for row in response.json["items"]]

    assert listed("coordinator") == [mine["reference"], sg["reference"]]
    assert listed("reviewer") == [mine["reference"]]
    assert listed("sg_reviewer") == [sg["reference"]]
    assert listed("member") == [mine["reference"]]
    assert listed("other_member") == []
    assert listed("coordinator", "?country=SG&stage=in_review") == [sg["reference"]]
    assert listed("coordinator", "?text=pasport&queue=unassigned") == [
        mine["reference"], sg["reference"]]


def test_list__paged_with_after(api, file_case):
    created = [file_case()["reference"] for _ in range(5)]
    first = api("GET", "/api/v1/cases?limit=3", "coordinator").json
    second = api("GET", f"/api/v1/cases?limit=3&after={first['next_after']}", "coordinator").json
    assert [r["reference"] for r in first["items"] + second["items"]] == created
    assert second["next_after"] is None


@pytest.mark.parametrize("query", ["?country[$ne]=MY", "?stage=$where", "?country=MY&country=SG",
                                   "?limit=lots", "?queue=everything", "?after=forged",
                                   "?mwc=200", "?colour=red", "?limit=%C2%B2", "?mwc=%C2%B2",
                                   "?limit=" + "9" * 5000, "?mwc=" + "1" * 5000])
def test_list__bad_request_values__400(api, file_case, query):
    file_case()
    response = api("GET", f"/api/v1/cases{query}", "coordinator")
    assert response.status_code == 400 and response.json["error"]["message"]


def test_list__needs_a_token_and_a_case_role(api):
    assert api("GET", "/api/v1/cases", None).status_code == 401
    assert api("GET", "/api/v1/cases", "admin").status_code == 403


def test_read__outside_the_scope_is_404_like_a_missing_case(api, file_case):
    case = file_case()
    assert api("GET", f"/api/v1/cases/{case['reference']}", "sg_reviewer").status_code == 404
    assert api("GET", f"/api/v1/cases/{case['reference']}", "other_member").status_code == 404
    assert api("GET", "/api/v1/cases/MY-2026-999999", "coordinator").status_code == 404
    assert api("GET", "/api/v1/cases/anything", "coordinator").status_code == 404


def test_read__caseworker_view_with_transitions_never_sealed_data(api, file_case):
    case = file_case()
    body = api("GET", f"/api/v1/cases/{case['reference']}", "reviewer").json
    assert body["stage"] == "in_review" and body["team"] == "my-team"
    assert body["transitions"] == ["request_info", "verify", "reject", "mark_duplicate"]
    assert not {"sensitive", "tracking_hash", "duplicate_keys", "search_terms", "_id"} & set(body)
    assert body["events"][-1]["at"].endswith("+00:00")


def test_read__mission_never_by_reference_reporter_sees_only_the_stage(
        api, file_case, people):
    case = file_case()
    reporter = people["reporter"][0]
    # a mission addresses cases by handle (tests/web/test_api_mission_view.py)
    assert api("GET", f"/api/v1/cases/{case['reference']}", "mission").status_code == 404
    own = file_case(reporter={"anonymous": False, "user_id": reporter["_id"], "org_id": None})
    view = api("GET", f"/api/v1/cases/{own['reference']}", "reporter").json
    assert set(view) == {"reference", "country", "stage", "created_at", "updated_at",
                         "language", "version"}


def test_transition__duplicate_target_missing_or_out_of_scope__same_422(api, file_case, svc):
    case = file_case()
    sg = file_case(country="SG", dimensions={"destination_country": "SG"},
                   reporter={"anonymous": True, "user_id": None, "org_id": None})
    bodies = []
    for named in (sg["reference"], "MY-2026-999999"):
        response = api("POST", f"/api/v1/cases/{case['reference']}/transitions", "reviewer",
                       json={"to": "mark_duplicate", "duplicate_of": named,
                             "version": case["version"]})
        assert response.status_code == 422, response.json
        bodies.append(str(response.json).replace(named, "<ref>"))
    assert bodies[0] == bodies[1] and "duplicate_of" in bodies[0]
    assert svc.cases.get(case["_id"])["stage"] == "in_review"
    assert svc.cases.get(sg["_id"])["stage"] == "in_review"


def test_transition__200_with_the_case(api, file_case):
    case = file_case()
    response = api("POST", f"/api/v1/cases/{case['reference']}/transitions", "reviewer",
                   json={"to": "needs_info", "note": "Which agency?", "version": case["version"]})
    assert response.status_code == 200, response.json
    assert response.json["stage"] == "needs_info"
    assert response.json["events"][-1]["note"] == "Which agency?"
    answered = api("POST", f"/api/v1/cases/{case['reference']}/transitions", "member",
                   json={"to": "provide_info", "note": "Maju Agency",
                         "version": response.json["version"]})
    assert answered.status_code == 200 and answered.json["stage"] == "in_review"


def test_transition__two_reviewers_at_once__one_200_one_409_with_the_current_state(
        api, file_case):
    case = file_case()
    url = f"/api/v1/cases/{case['reference']}/transitions"
    first = api("POST", url, "reviewer", json={"to": "verified", "version": case["version"]})
    second = api("POST", url, "reviewer2", json={"to": "rejected", "reason": "No violation",
                                                 "version": case["version"]})
    assert first.status_code == 200
    assert second.status_code == 409
    assert "changed this case" in second.json["error"]["message"]
    assert second.json["case"]["stage"] == "verified"
    assert second.json["case"]["version"] == first.json["version"]


@pytest.mark.parametrize("body, status, reason", [
    ({"to": "rejected"}, 422, "missing_data"),
    ({"to": "closed", "outcome": "resolved"}, 422, "not_from_this_stage"),
    ({"to": "flying"}, 422, "unknown_transition"),
    ({"to": "verified", "outcome": {"$set": "x"}}, 400, None),  # refused by the schema
    ({"to": "verified", "version": "2"}, 400, None),
    ({"version": 2}, 400, None),
])
def test_transition__refused__reason_and_nothing_written(api, file_case, svc, body, status,
                                                         reason):
    case = file_case()
    body = {"version": case["version"], **body}
    response = api("POST", f"/api/v1/cases/{case['reference']}/transitions", "reviewer",
                   json=body)
    assert response.status_code == status, response.json
    if reason:
        assert response.json["error"]["reason"] == reason
    assert svc.cases.get(case["_id"]) == case


def test_transition__member_cannot_verify__422_not_your_role(api, file_case):
    case = file_case()
    response = api("POST", f"/api/v1/cases/{case['reference']}/transitions", "member",
                   json={"to": "verified", "version": case["version"]})
    assert response.status_code == 422 and response.json["error"]["reason"] == "role_not_allowed"


def test_transition__not_json__400(api, file_case):
    case = file_case()
    response = api("POST", f"/api/v1/cases/{case['reference']}/transitions", "reviewer",
                   data="to=verified")
    assert response.status_code == 400


def test_follow_ups__add_change_then_close(api, file_case):
    case = file_case()
    ref = case["reference"]
    url = f"/api/v1/cases/{ref}/transitions"
    case = api("POST", url, "reviewer", json={"to": "verified", "version": case["version"]}).json
    case = api("POST", url, "reviewer", json={"to": "follow_up", "version": case["version"]}).json
    added = api("POST", f"/api/v1/cases/{ref}/follow-ups", "reviewer",
                json={"type": "embassy_intervention", "responsible_org": "Embassy of Indonesia",
                      "due": "2026-04-01", "version": case["version"]})
    assert added.status_code == 201, added.json
    action = added.json["follow_ups"][0]
    refused = api("POST", url, "reviewer", json={"to": "closed", "outcome": "resolved",
                                                 "version": added.json["version"]})
    assert refused.status_code == 422 and refused.json["error"]["reason"] == "open_follow_ups"
    changed = api("PATCH", f"/api/v1/cases/{ref}/follow-ups/{action['id']}", "reviewer",
                  json={"status": "done", "result": "Passport returned"})
    assert changed.status_code == 200 and changed.json["follow_ups"][0]["status"] == "done"
    closed = api("POST", url, "reviewer", json={"to": "closed", "outcome": "resolved",
                                                "version": changed.json["version"]})
    assert closed.status_code == 200 and closed.json["outcome"] == "resolved"


def test_follow_ups__bad_values_member_stale_version(api, file_case):
    case = file_case()
    ref = case["reference"]
    case = api("POST", f"/api/v1/cases/{ref}/transitions", "reviewer",
               json={"to": "verified", "version": case["version"]}).json
    bad = api("POST", f"/api/v1/cases/{ref}/follow-ups", "reviewer",
              json={"type": "prayer", "responsible_org": "x", "due": "2026-04-01"})
    assert bad.status_code == 422 and bad.json["error"]["fields"] == ["type"]
    member = api("POST", f"/api/v1/cases/{ref}/follow-ups", "member",
                 json={"type": "shelter", "responsible_org": "x", "due": "2026-04-01"})
    assert member.status_code == 403
    stale = api("POST", f"/api/v1/cases/{ref}/follow-ups", "reviewer",
                json={"type": "shelter", "responsible_org": "x", "due": "2026-04-01",
                      "version": case["version"] - 1})
    assert stale.status_code == 409
    missing = api("PATCH", f"/api/v1/cases/{ref}/follow-ups/f_000000000000", "reviewer",
                  json={"status": "done"})
    assert missing.status_code == 422


def test_assign_and_note(api, file_case, people, svc):
    case = file_case()
    ref = case["reference"]
    reviewer2 = people["reviewer2"][0]
    claimed = api("PUT", f"/api/v1/cases/{ref}/assignee", "reviewer", json={"assignee": "me"})
    assert claimed.status_code == 200 and claimed.json["assignee"] == people["reviewer"][0]["_id"]
    given = api("PUT", f"/api/v1/cases/{ref}/assignee", "coordinator",
                json={"assignee": reviewer2["_id"], "version": claimed.json["version"]})
    assert given.status_code == 200
    assert [n["kind"] for n in svc.notifications.for_user(reviewer2["_id"])
            if n["kind"] != "new_case"] == ["assignment"]
    wrong = api("PUT", f"/api/v1/cases/{ref}/assignee", "coordinator",
                json={"assignee": people["sg_reviewer"][0]["_id"]})
    assert wrong.status_code == 422
    note = api("POST", f"/api/v1/cases/{ref}/notes", "member", json={"text": "Called her"})
    assert note.status_code == 201 and note.json["events"][-1]["kind"] == "note"


def test_read_and_list__possible_duplicates_outside_the_scope_counted_never_named(
        api, file_case, svc):
    case = file_case()
    other = file_case()
    sg = file_case(country="SG", dimensions={"destination_country": "SG"},
                   reporter={"anonymous": True, "user_id": None, "org_id": None})
    svc.cases.cases.update_one({"_id": case["_id"]}, {"$set": {"possible_duplicates": [
        sg["reference"], other["reference"]]}})
    response = api("GET", f"/api/v1/cases/{case['reference']}", "reviewer")
    listed = api("GET", "/api/v1/cases?queue=all", "reviewer")
    assert sg["reference"] not in response.get_data(as_text=True) + listed.get_data(as_text=True)
    row = next(r for r in listed.json["items"] if r["reference"] == case["reference"])
    for view in (response.json, row):
        assert (view["possible_duplicates"], view["possible_duplicates_unseen"]) == (
            [other["reference"]], 1)


def test_read__original_of_a_duplicate_outside_the_scope__null(api, file_case, svc):
    case = file_case()
    sg = file_case(country="SG", dimensions={"destination_country": "SG"},
                   reporter={"anonymous": True, "user_id": None, "org_id": None})
    coordinator = {"id": "u_coordinator", "roles": ["coordinator"], "org_id": None,
                   "countries": []}
    svc.workflow.transition(case, "mark_duplicate", coordinator,
                            {"duplicate_of": sg["reference"]}, case["version"])
    response = api("GET", f"/api/v1/cases/{case['reference']}", "reviewer")
    assert sg["reference"] not in response.get_data(as_text=True)
    assert response.json["duplicate_of"] is None and response.json["stage"] == "duplicate"
    seen = api("GET", f"/api/v1/cases/{case['reference']}", "coordinator").json
    assert seen["duplicate_of"] == sg["reference"]


def _raw(api, url, text):
    return api("POST", url, "reviewer", data=text, content_type="application/json")


@pytest.mark.parametrize("body", [
    {"to": "verified", "version": 10**30},
    {"to": "verified", "version": -(10**30)},
    {"to": "verified", "version": 2**31},
    {"to": "verified", "version": 1.0},
])
def test_transition__version_out_of_range__400_and_nothing_written(api, file_case, svc, body):
    case = file_case()
    response = api("POST", f"/api/v1/cases/{case['reference']}/transitions", "reviewer",
                   json=body)
    assert response.status_code == 400, response.json
    assert response.json["errors"] == [{"field": "version", "message": response.json[
        "errors"][0]["message"]}] and "whole number" in response.json["errors"][0]["message"]
    assert svc.cases.get(case["_id"]) == case


@pytest.mark.parametrize("route", ["transitions", "follow-ups", "notes"])
@pytest.mark.parametrize("depth", [900, 100_000])
def test_body_nested_deep__400_not_recursion_error(api, file_case, svc, route, depth):
    case = file_case()
    text = '{"to": "verified", "version": 1, "note": ' + "[" * depth + "]" * depth + "}"
    response = _raw(api, f"/api/v1/cases/{case['reference']}/{route}", text)
    assert response.status_code == 400, response.json
    assert svc.cases.get(case["_id"]) == case


@pytest.mark.parametrize(("route", "body"), [
    ("transitions", {"to": "needs_info", "note": "Which \ud800 agency?"}),
    ("notes", {"text": "Called \udc00 her"}),
    ("follow-ups", {"type": "shelter", "responsible_org": "Shelter \ud800", "due": "2026-04-01"}),
])
def test_lone_surrogate__400_not_an_encoding_error(api, file_case, svc, route, body):
    case = file_case()
    if route == "follow-ups":
        case = api("POST", f"/api/v1/cases/{case['reference']}/transitions", "reviewer",
                   json={"to": "verified", "version": case["version"]}).json
        case = svc.cases.by_reference(case["reference"])
    response = api("POST", f"/api/v1/cases/{case['reference']}/{route}", "reviewer",
                   json={"version": case["version"], **body})
    assert response.status_code == 400, response.json
    assert "Unicode" in response.json["errors"][0]["message"]
    assert svc.cases.get(case["_id"]) == case


def test_follow_up_change__schema_checked_before_the_action_is_looked_up(api, file_case):
    case = file_case()
    response = api("PATCH", f"/api/v1/cases/{case['reference']}/follow-ups/f_000000000000",
                   "reviewer", json={"status": {"$ne": None}, "colour": "red"})
    assert response.status_code == 400
    assert {e["field"] for e in response.json["errors"]} == {"status", "colour"}
