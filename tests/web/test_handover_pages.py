"""Cross-border handover through the pages (docs/handover.md): the share form and its
consent notice, "Shared with us", accepting, refusing, revoking, transferring, and who
sees which case: every role against a shared, a transferred and an unshared case."""

from __future__ import annotations

import re

import pytest

from tests.handover_helpers import (
    ROLES,
    answer_by_page,
    seed_handover,
    share_and_transfer,
    share_by_page,
    signed_in,
    version_on,
)


def _html(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def seed(svc):
    return seed_handover(svc)


@pytest.fixture
def handled(seed):
    share_and_transfer(seed)
    return seed


# -- who sees what -------------------------------------------------------------------

#: role -> case -> what the case page shows: "handling" (the full page with the steps
#: the handling team takes), "own" (the filing organisation's page), "full" and
#: "no_identity" (a share's view), "status" (a former team), or the refusal's status.
CASE_PAGE = {
    "reporter": {"shared": 404, "transferred": 404, "unshared": 404},
    "member_filing": {"shared": "own", "transferred": "own", "unshared": "own"},
    "member_other": {"shared": 404, "transferred": 404, "unshared": 404},
    # a form editor is staff of a member organisation: here the filing one
    "form_editor": {"shared": "own", "transferred": "own", "unshared": "own"},
    "reviewer_handling": {"shared": "handling", "transferred": "status", "unshared": "handling"},
    "reviewer_receiving": {"shared": "full", "transferred": "handling", "unshared": 404},
    "reviewer_third": {"shared": 404, "transferred": 404, "unshared": 404},
    "coordinator": {"shared": "handling", "transferred": "handling", "unshared": "handling"},
    "mission": {"shared": 403, "transferred": 403, "unshared": 403},
    "admin": {"shared": 403, "transferred": 403, "unshared": 403},
}


def _what_the_page_shows(response) -> str | int:
    if response.status_code != 200:
        return response.status_code
    html = _html(response)
    access = re.search(r'data-access="([a-z_]+)"', html)
    if access:
        return access.group(1)
    return "handling" if 'id="handover-title"' in html else "own"


@pytest.mark.parametrize("role", ROLES)
def test_case_page__every_role__shared_transferred_unshared(app, handled, role):
    desk = signed_in(app, handled.people[role])
    shown = {name: _what_the_page_shows(desk.client.get(f"/cases/{case['reference']}"))
             for name, case in handled.cases.items()}
    assert shown == CASE_PAGE[role]


#: role -> the cases its list of all cases holds (None: the list is not theirs).
QUEUE = {
    "reporter": set(), "member_filing": {"shared", "transferred", "unshared"},
    "member_other": set(), "form_editor": {"shared", "transferred", "unshared"},
    "reviewer_handling": {"shared", "transferred", "unshared"},
    "reviewer_receiving": {"shared", "transferred"}, "reviewer_third": set(),
    "coordinator": {"shared", "transferred", "unshared"}, "mission": None, "admin": None,
}


@pytest.mark.parametrize("role", ROLES)
def test_queue__every_role__lists_what_it_may_see(app, handled, role):
    desk = signed_in(app, handled.people[role])
    response = desk.client.get("/cases/?queue=all")
    if QUEUE[role] is None:
        assert response.status_code == 403
        listed = set(re.findall(r'<tr data-reference="([^"]+)"', _html(response)))
        assert not listed & {c["reference"] for c in handled.cases.values()}
        return
    listed = set(re.findall(r'<tr data-reference="([^"]+)"', _html(response)))
    assert listed == {handled.cases[name]["reference"] for name in QUEUE[role]}


#: role -> the cases the API gives it by reference: the API serves the cases an account
#: handles or filed; a share is read on its page.
API = {
    "reporter": set(), "member_filing": {"shared", "transferred", "unshared"},
    "member_other": set(), "form_editor": {"shared", "transferred", "unshared"},
    "reviewer_handling": {"shared", "unshared"},
    "reviewer_receiving": {"transferred"}, "reviewer_third": set(),
    "coordinator": {"shared", "transferred", "unshared"}, "mission": set(), "admin": set(),
}


@pytest.mark.parametrize("role", ROLES)
def test_api__every_role__a_case_by_reference(app, svc, handled, role):
    _, token = svc.tokens.create(handled.people[role]["_id"], "handover")
    client = app.test_client()
    given = set()
    for name, case in handled.cases.items():
        response = client.get(f"/api/v1/cases/{case['reference']}",
                              headers={"Authorization": f"Bearer {token}"})
        assert response.status_code in (200, 403, 404)
        if response.status_code == 200:
            given.add(name)
    assert given == API[role]


def test_no_identity_share__receiving_team_never_sees_the_name(app, seed):
    share_and_transfer(seed, access="no_identity")
    desk = signed_in(app, seed.people["reviewer_receiving"])
    html = _html(desk.client.get(f"/cases/{seed.cases['shared']['reference']}"))
    assert 'data-access="no_identity"' in html
    assert "Dewi Lestari" not in html and "Taichung" not in html
    assert "Suara Buruh" not in html
    full = signed_in(app, seed.people["reviewer_handling"])
    assert "Dewi Lestari" in _html(full.client.get(f"/cases/{seed.cases['shared']['reference']}"))


def test_former_team__sees_the_stage_only(app, handled):
    desk = signed_in(app, handled.people["reviewer_handling"])
    html = _html(desk.client.get(f"/cases/{handled.cases['transferred']['reference']}"))
    assert 'data-access="status"' in html
    assert "Dewi Lestari" not in html and "passport" not in html
    assert "transitions/" not in html and "follow-ups" not in html


# -- the share form ------------------------------------------------------------------

def test_share_form__consent_given__both_levels_offered(app, seed):
    desk = signed_in(app, seed.people["reviewer_handling"])
    html = _html(desk.client.get(f"/cases/{seed.cases['shared']['reference']}/share"))
    assert 'data-consent="given"' in html
    assert 'value="full"' in html and 'value="no_identity"' in html
    for label in ("Share with", "Purpose", "What they may see", "Shared until"):
        assert label in html
    assert re.search(r'<label for="share-to"', html)


def test_share__by_page__offered__listed_accepted__acted_on(app, seed):
    reference = seed.cases["shared"]["reference"]
    desk = signed_in(app, seed.people["reviewer_handling"])
    response = share_by_page(desk, reference)
    assert response.status_code == 302, _html(response)
    case = seed.current("shared")
    share = case["shares"][0]
    assert (share["state"], share["to"], share["access"]) == (
        "offered", {"kind": "team", "key": "tw-team"}, "full")
    assert "Needs a labour lawyer" in _html(desk.client.get(f"/cases/{reference}"))

    receiving = signed_in(app, seed.people["reviewer_receiving"])
    assert receiving.client.get(f"/cases/{reference}").status_code == 404  # not yet accepted
    listed = _html(receiving.client.get("/cases/shared"))
    assert reference in listed and "Legal aid" in listed
    notices = _html(receiving.client.get("/cases/notifications"))
    assert "shared with your team" in notices
    accepted = answer_by_page(receiving, reference, share["id"], accept=True)
    assert accepted.status_code == 302, _html(accepted)
    assert 'data-access="full"' in _html(receiving.client.get(f"/cases/{reference}"))
    assert seed.svc.audit  # the audit log holds the offer and the acceptance
    actions = [e["action"] for e in seed.svc.db.audit_events.find({"target": case["_id"]})]
    assert {"case.share_offered", "case.share_accepted"} <= set(actions)
    kinds = [e.get("kind") for e in seed.current("shared")["events"]]
    assert kinds[-2:] == ["share_offered", "share_accepted"]


def test_share__without_consent__the_page_says_so__full_refused_nothing_stored(app, svc):
    seed = seed_handover(svc, consent=False)
    reference = seed.cases["shared"]["reference"]
    desk = signed_in(app, seed.people["reviewer_handling"])
    html = _html(desk.client.get(f"/cases/{reference}/share"))
    assert 'data-consent="declined"' in html
    assert "said no to referral to partners" in html
    assert 'value="full"' not in html and 'value="no_identity"' in html
    before = seed.current("shared")["version"]
    refused = share_by_page(desk, reference, access="full")
    assert refused.status_code == 400
    assert seed.current("shared")["version"] == before
    assert "shares" not in seed.current("shared")
    done = share_by_page(desk, reference, access="no_identity")
    assert done.status_code == 302
    assert seed.current("shared")["shares"][0]["access"] == "no_identity"


@pytest.mark.parametrize(("values", "message"), [
    ({"to": ""}, "This field is required."),
    ({"to": "team:id-team"}, "Not a valid choice"),
    ({"expires": "2001-01-01"}, "Give an end date after today and within a year."),
    ({"expires": "soon"}, "Not a valid date value."),
])
def test_share__wrong_values__named_in_the_page_language__nothing_stored(app, seed, values,
                                                                         message):
    reference = seed.cases["shared"]["reference"]
    desk = signed_in(app, seed.people["reviewer_handling"])
    response = share_by_page(desk, reference, **values)
    assert response.status_code == 400
    assert message in _html(response)
    assert "shares" not in seed.current("shared")


def test_share__in_malay__labels_and_errors_in_malay(app, seed):
    desk = signed_in(app, seed.people["reviewer_handling"])
    desk.client.get("/language?lang=ms")
    reference = seed.cases["shared"]["reference"]
    response = share_by_page(desk, reference, to="", expires="2001-01-01")
    assert response.status_code == 400
    html = _html(response)
    assert 'lang="ms"' in html
    assert "This field is required." not in html


@pytest.mark.parametrize("role", ["reviewer_receiving", "reviewer_third", "member_filing",
                                  "mission", "admin"])
def test_share_page__only_the_handling_side(app, seed, role):
    desk = signed_in(app, seed.people[role])
    response = desk.client.get(f"/cases/{seed.cases['shared']['reference']}/share")
    assert response.status_code in (403, 404)


# -- answers, revocation, transfer ------------------------------------------------------

def test_refuse__needs_a_reason__then_gone_from_the_list(app, seed):
    reference = seed.cases["shared"]["reference"]
    share_by_page(signed_in(app, seed.people["reviewer_handling"]), reference)
    share_id = seed.current("shared")["shares"][0]["id"]
    receiving = signed_in(app, seed.people["reviewer_receiving"])
    response = answer_by_page(receiving, reference, share_id, accept=False)
    assert response.status_code == 400
    assert "Say why you refuse the share." in _html(response)
    response = answer_by_page(receiving, reference, share_id, accept=False,
                              reason="No lawyer free this month.")
    assert response.status_code == 302
    assert seed.current("shared")["shares"][0]["state"] == "refused"
    assert reference not in _html(receiving.client.get("/cases/shared"))
    assert receiving.client.get(f"/cases/{reference}").status_code == 404


def test_answer__by_anyone_else__not_found(app, seed):
    reference = seed.cases["shared"]["reference"]
    share_by_page(signed_in(app, seed.people["reviewer_handling"]), reference)
    share_id = seed.current("shared")["shares"][0]["id"]
    third = signed_in(app, seed.people["reviewer_third"])
    response = third.post(f"/cases/{reference}/shares/{share_id}/answer",
                          {f"answer-{share_id}-accept": "y", f"answer-{share_id}-version": "9"},
                          page="/cases/shared", prefix=f"answer-{share_id}")
    assert response.status_code == 404
    assert seed.current("shared")["shares"][0]["state"] == "offered"


def test_revoke__by_the_handling_team__receiving_team_loses_the_case(app, handled):
    reference = handled.cases["shared"]["reference"]
    case = handled.current("shared")
    share_id = case["shares"][0]["id"]
    desk = signed_in(app, handled.people["reviewer_handling"])
    page = f"/cases/{reference}"
    html = _html(desk.client.get(page))
    prefix = f"revoke-{share_id}"
    response = desk.post(f"{page}/shares/{share_id}/revoke",
                         {f"{prefix}-version": version_on(html, prefix),
                          f"{prefix}-reason": "Handled at home now."}, page=page, prefix=prefix)
    assert response.status_code == 302
    assert handled.current("shared")["shares"][0]["state"] == "revoked"
    receiving = signed_in(app, handled.people["reviewer_receiving"])
    assert receiving.client.get(page).status_code == 404


def test_transfer__by_page__new_team_acts__old_team_sees_status(app, seed):
    reference = seed.cases["unshared"]["reference"]
    desk = signed_in(app, seed.people["reviewer_handling"])
    page = f"/cases/{reference}/share"
    html = _html(desk.client.get(page))
    response = desk.post(f"/cases/{reference}/transfer",
                         {"transfer-team": "tw-team", "transfer-note": "Worker still in Taiwan.",
                          "transfer-version": version_on(html, "transfer")},
                         page=page, prefix="transfer")
    assert response.status_code == 302, _html(response)
    case = seed.current("unshared")
    assert case["team"] == "tw-team" and case["former_teams"] == ["id-team"]
    assert 'data-access="status"' in _html(desk.client.get(f"/cases/{reference}"))
    receiving = signed_in(app, seed.people["reviewer_receiving"])
    assert 'id="handover-title"' in _html(receiving.client.get(f"/cases/{reference}"))
    actions = [e["action"] for e in seed.svc.db.audit_events.find({"target": case["_id"]})]
    assert "case.transferred" in actions


def test_receiving_team__follow_up_through_the_page__no_steps(app, handled):
    svc, people = handled.svc, handled.people
    from tests.handover_helpers import actor

    case = handled.current("shared")
    svc.workflow.transition(case, "verify", actor(people["reviewer_handling"]), {},
                            case["version"])
    reference = case["reference"]
    receiving = signed_in(app, people["reviewer_receiving"])
    page = f"/cases/{reference}"
    html = _html(receiving.client.get(page))
    assert "transitions/" not in html and "/claim" not in html
    response = receiving.post(f"{page}/follow-ups", {
        "fu-type": "legal_aid_referral", "fu-responsible_org": "Taipei Migrant Desk",
        "fu-due": "2030-01-15", "fu-version": version_on(html, "fu")}, page=page, prefix="fu")
    assert response.status_code == 302, _html(response)
    assert handled.current("shared")["follow_ups"][0]["created_by"] == people[
        "reviewer_receiving"]["_id"]
    refused = receiving.post(f"{page}/transitions/start_follow_up",
                             {"start_follow_up-version": str(handled.current("shared")["version"])},
                             page=page, prefix="start_follow_up")
    assert refused.status_code in (403, 404)


def test_audit_page__names_the_share_and_its_receiver(app, seed):
    reference = seed.cases["shared"]["reference"]
    assert share_by_page(signed_in(app, seed.people["reviewer_handling"]),
                         reference).status_code == 302
    html = _html(signed_in(app, seed.people["admin"]).client.get("/admin/audit"))
    assert "case.share_offered" in html
    assert "Shared with" in html and "team:tw-team" in html


def test_organisation_share__its_staff_accept_and_read__others_do_not(app, seed):
    reference = seed.cases["shared"]["reference"]
    desk = signed_in(app, seed.people["reviewer_handling"])
    taipei = f"org:{seed.orgs['tw']['_id']}"
    assert share_by_page(desk, reference, to=taipei, access="no_identity",
                         purpose="shelter").status_code == 302
    share_id = seed.current("shared")["shares"][0]["id"]
    for name in ("member_other", "reviewer_receiving"):
        assert reference not in _html(signed_in(app, seed.people[name]).client.get(
            "/cases/shared"))
    staff = signed_in(app, seed.people["org_tw"])
    assert reference in _html(staff.client.get("/cases/shared"))
    assert answer_by_page(staff, reference, share_id, accept=True).status_code == 302
    html = _html(staff.client.get(f"/cases/{reference}"))
    assert 'data-access="no_identity"' in html and "Dewi Lestari" not in html
