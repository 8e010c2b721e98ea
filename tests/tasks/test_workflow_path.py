"""Done when: a case goes from submission through routing on a real worker, review, a
request for information answered by the member, verification, follow-up and closure,
over the API on FerretDB and Redis, with every step on its timeline."""

import pytest

from tests.tasks.workflow_services import make_app, wait_for, workflow_environ

pytestmark = pytest.mark.integration

ANSWERS = {"destination_country": "MY", "narrative": "Wages unpaid for three months.",
           "acts": ["unpaid_wages"], "consent_case_work": True}


def accounts(svc):
    """A member of a Malaysian organisation, a reviewer for Malaysia, a coordinator."""
    org = svc.organisations.create("Tenaganita", "MY")["_id"]
    people = {}
    for name, roles, org_id, countries in (("member", ["member"], org, []),
                                           ("reviewer", ["reviewer"], None, ["MY"]),
                                           ("coordinator", ["coordinator"], None, [])):
        user = {"_id": f"u_{name}", "email": f"{name}@example.org", "roles": roles,
                "org_id": org_id, "countries": countries, "active": True, "auth_version": 1}
        svc.users.collection.insert_one(user)
        people[name] = {"Authorization": f"Bearer {svc.tokens.create(user['_id'], 't')[1]}"}
    return people


def test_submission_to_closure__on_the_real_worker(mongo_uri, private_redis, workers,
                                                   database_name):
    env = workflow_environ(mongo_uri, private_redis.url, database_name)
    workers(env)
    app = make_app(env)
    svc, client = app.extensions["mrvrs"], app.test_client()
    try:
        who = accounts(svc)
        filed = client.post("/api/v1/cases", headers=who["member"], json={
            "form_id": "my-intake", "version": 1, "language": "en", "answers": ANSWERS})
        assert filed.status_code == 201, filed.json
        ref = filed.json["reference"]

        def read(person="reviewer"):
            response = client.get(f"/api/v1/cases/{ref}", headers=who[person])
            assert response.status_code == 200, response.json
            return response.json

        def act(person, url, method="POST", expected=200, **body):
            response = client.open(f"/api/v1/cases/{ref}{url}", method=method,
                                   headers=who[person], json=body)
            assert response.status_code == expected, response.json
            return response.json

        def routed_case():
            case = read()
            return case if case["stage"] == "in_review" else None

        routed = wait_for(routed_case, "routing on the worker")
        assert routed["team"] == "my-team" and routed["events"][-1]["actor"] == "system"
        queue = client.get("/api/v1/cases?queue=unassigned", headers=who["reviewer"]).json
        assert ref in [row["reference"] for row in queue["items"]]

        case = act("reviewer", "/assignee", "PUT", assignee="me")
        case = act("reviewer", "/transitions", to="needs_info", note="Which months exactly?",
                   version=case["version"])
        assert read("member")["stage"] == "needs_info"
        case = act("member", "/transitions", to="provide_info", note="January to March",
                   version=case["version"])
        case = act("reviewer", "/transitions", to="verified", version=case["version"])
        case = act("reviewer", "/transitions", to="follow_up", version=case["version"])
        case = act("reviewer", "/follow-ups", expected=201, type="labour_complaint",
                   responsible_org="Tenaganita", due="2026-12-31", version=case["version"])
        action = case["follow_ups"][0]["id"]
        case = act("reviewer", f"/follow-ups/{action}", "PATCH", status="done",
                   result="Complaint filed with the Labour Department")
        case = act("reviewer", "/transitions", to="closed", outcome="resolved",
                   version=case["version"])

        stored = svc.cases.by_reference(ref)
        assert stored["stage"] == "closed" and stored["outcome"] == "resolved"
        moves = [e["to"] for e in stored["events"] if e["kind"] == "transition"]
        assert moves == ["submitted", "in_review", "needs_info", "in_review", "verified",
                         "follow_up", "closed"]
        assert stored["version"] == len(stored["events"]), "one event per write, none lost"
        assert all(e["at"] and e["actor"] for e in stored["events"])
        assert [n["kind"] for n in svc.notifications.for_user("u_member")] == ["info_requested"]
        assert sorted(n["kind"] for n in svc.notifications.for_user("u_reviewer")) == [
            "info_provided", "new_case"]  # routing told the team the case had reached it
    finally:
        svc.db.client.close()
