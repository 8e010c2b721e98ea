"""Cross-border handover (docs/handover.md): sharing a case with another team or
organisation, answering the offer, revoking it, letting it expire, and transferring the
case, through the case service on a mongomock store."""

from __future__ import annotations

import itertools

import pytest
from workflow_service_env import COORDINATOR, MEMBER, SG_REVIEWER, make_env

from workflows.errors import Refusal, StaleVersion, TransitionNotAllowed
from workflows.handover import allowed_access, consent_to_referral, plan_share
from workflows.scope import access_of, can_see
from workflows.sweeps import expire_shares

ID_REVIEWER = {"id": "u_id", "roles": ["reviewer"], "org_id": None, "countries": ["ID"]}
MY_REVIEWER = {"id": "u_rev", "roles": ["reviewer"], "org_id": None, "countries": ["MY"]}
MY_ORG_STAFF = {"id": "u_m2", "roles": ["member"], "org_id": "o_2", "countries": []}
ORGS = {"o_1": "ID", "o_2": "MY"}
REFERENCES = itertools.count(1)
LEGAL_AID = {"kind": "team", "key": "my-team", "purpose": "legal_aid", "access": "full",
             "expires": "2026-06-01", "note": "Needs a lawyer in Johor."}


@pytest.fixture
def env():
    made = make_env()
    made.db.users.insert_one({"_id": "u_id", "email": "u_id@example.org", "roles": ["reviewer"],
                              "countries": ["ID"], "org_id": None, "active": True})
    return made


def _indonesian_case(env, consent=True):
    """Filed in Indonesia about Malaysia; the Indonesian team handles it (routing by
    the destination would give it to the Malaysian team: this one was kept at home)."""
    return env.file(country="ID", reference=f"ID-2026-{next(REFERENCES):06d}",
                    stage="in_review", team="id-team",
                    dimensions={"destination_country": "MY", "gender": "female"},
                    consent={"case_work": True, "referral": consent})


def _refusal(call) -> TransitionNotAllowed:
    with pytest.raises(TransitionNotAllowed) as raised:
        call()
    return raised.value


def test_share__offered_listed_nothing_seen_until_accepted(env):
    case = _indonesian_case(env)
    shared = env.service.share(case, ID_REVIEWER, LEGAL_AID, ORGS)
    share = shared["shares"][0]
    assert share["state"] == "offered" and share["to"] == {"kind": "team", "key": "my-team"}
    assert shared["events"][-1]["kind"] == "share_offered"
    assert [n["kind"] for n in env.told("u_rev")] == ["share_offered"]
    assert not can_see(env.service.with_teams(MY_REVIEWER), shared)

    accepted = env.service.decide_share(shared, MY_REVIEWER, share["id"], True)
    assert accepted["shares"][0]["state"] == "accepted"
    assert accepted["events"][-1]["kind"] == "share_accepted"
    assert access_of(env.service.with_teams(MY_REVIEWER), accepted) == "full"
    assert access_of(env.service.with_teams(SG_REVIEWER), accepted) is None


def test_share__without_consent_to_referral__only_without_identity(env):
    for answer, state in ((False, "declined"), (None, "not_recorded")):
        case = _indonesian_case(env, consent=answer)
        assert consent_to_referral(case) == state
        assert allowed_access(case) == ("no_identity",)
        refused = _refusal(lambda c=case: env.service.share(c, ID_REVIEWER, LEGAL_AID, ORGS))
        assert refused.fields == ("access",)
        assert env.stored(case)["version"] == case["version"]  # nothing stored
        shared = env.service.share(case, ID_REVIEWER, {**LEGAL_AID, "access": "no_identity"},
                                   ORGS)
        assert shared["shares"][-1]["access"] == "no_identity"


@pytest.mark.parametrize(("change", "field"), [
    ({"purpose": "holiday"}, "purpose"), ({"access": "everything"}, "access"),
    ({"key": "id-team"}, "to"), ({"key": "nowhere-team"}, "to"), ({"kind": "planet"}, "to"),
    ({"kind": "org", "key": "o_1"}, "to"), ({"expires": "2020-01-01"}, "expires"),
    ({"expires": "soon"}, "expires"), ({"expires": "2029-01-01"}, "expires"),
    ({"note": "x" * 2001}, "note"),
])
def test_share__each_wrong_value__refused_by_name(env, change, field):
    case = _indonesian_case(env)
    refused = _refusal(lambda: env.service.share(case, ID_REVIEWER, {**LEGAL_AID, **change},
                                                 ORGS))
    assert refused.fields == (field,)


@pytest.mark.parametrize("who", [MY_REVIEWER, SG_REVIEWER, MEMBER, MY_ORG_STAFF])
def test_share__only_the_handling_side(env, who):
    case = _indonesian_case(env)
    refused = _refusal(lambda: env.service.share(case, who, LEGAL_AID, ORGS))
    assert refused.reason == Refusal.ROLE_NOT_ALLOWED


def test_share__twice_with_one_receiver__refused(env):
    case = env.service.share(_indonesian_case(env), ID_REVIEWER, LEGAL_AID, ORGS)
    refused = _refusal(lambda: env.service.share(case, ID_REVIEWER, LEGAL_AID, ORGS))
    assert refused.fields == ("to",)


def test_refuse__needs_a_reason__then_ends_the_share(env):
    case = env.service.share(_indonesian_case(env), ID_REVIEWER, LEGAL_AID, ORGS)
    share_id = case["shares"][0]["id"]
    refused = _refusal(lambda: env.service.decide_share(case, MY_REVIEWER, share_id, False, " "))
    assert refused.fields == ("reason",)
    done = env.service.decide_share(case, MY_REVIEWER, share_id, False, "No lawyer free.")
    assert done["shares"][0]["state"] == "refused"
    assert done["events"][-1]["note"] == "No lawyer free."
    assert not can_see(env.service.with_teams(MY_REVIEWER), done)
    assert [n["kind"] for n in env.told("u_id")] == ["share_decided"]


def test_decide__only_a_receiver(env):
    case = env.service.share(_indonesian_case(env), ID_REVIEWER, LEGAL_AID, ORGS)
    share_id = case["shares"][0]["id"]
    for who in (SG_REVIEWER, ID_REVIEWER, MEMBER, MY_ORG_STAFF):
        assert _refusal(lambda w=who: env.service.decide_share(
            case, w, share_id, True)).reason == Refusal.ROLE_NOT_ALLOWED


def test_two_acceptances_racing__one_stands(env):
    case = env.service.share(_indonesian_case(env), ID_REVIEWER, LEGAL_AID, ORGS)
    share_id = case["shares"][0]["id"]
    other = {**MY_REVIEWER, "id": "u_rev2"}
    env.service.decide_share(case, MY_REVIEWER, share_id, True)
    with pytest.raises(StaleVersion):
        env.service.decide_share(case, other, share_id, True)
    assert [e["kind"] for e in env.stored(case)["events"]].count("share_accepted") == 1


def test_organisation_share__its_staff_answer_and_act_by_follow_up(env):
    case = _indonesian_case(env)
    case = env.service.transition(case, "verify", ID_REVIEWER, {}, case["version"])
    values = {**LEGAL_AID, "kind": "org", "key": "o_2", "access": "no_identity"}
    case = env.service.share(case, ID_REVIEWER, values, ORGS)
    case = env.service.decide_share(case, MY_ORG_STAFF, case["shares"][0]["id"], True)
    assert access_of(MY_ORG_STAFF, case) == "no_identity"
    acted = env.service.add_follow_up(case, MY_ORG_STAFF, {
        "type": "legal_aid_referral", "responsible_org": "Johor legal clinic", "due": "2026-04-01"})
    assert acted["follow_ups"][0]["created_by"] == "u_m2"
    for step in (lambda: env.service.add_note(acted, MY_ORG_STAFF, "hello"),
                 lambda: env.service.transition(acted, "start_follow_up", MY_ORG_STAFF, {},
                                                acted["version"])):
        assert _refusal(step).reason == Refusal.ROLE_NOT_ALLOWED


def test_receiving_team__follow_up_only__no_stage_no_assignment(env):
    case = _indonesian_case(env)
    case = env.service.transition(case, "verify", ID_REVIEWER, {}, case["version"])
    case = env.service.share(case, ID_REVIEWER, LEGAL_AID, ORGS)
    case = env.service.decide_share(case, MY_REVIEWER, case["shares"][0]["id"], True)
    assert env.service.available(case, MY_REVIEWER) == []
    acted = env.service.add_follow_up(case, MY_REVIEWER, {
        "type": "legal_aid_referral", "responsible_org": "Bar Council", "due": "2026-04-01"})
    assert len(acted["follow_ups"]) == 1
    for step in (lambda: env.service.claim(acted, MY_REVIEWER),
                 lambda: env.service.transition(acted, "start_follow_up", MY_REVIEWER, {},
                                                acted["version"]),
                 lambda: env.service.share(acted, MY_REVIEWER, {**LEGAL_AID, "key": "sg-team"},
                                           ORGS)):
        assert _refusal(step).reason == Refusal.ROLE_NOT_ALLOWED


def test_revoke__by_the_handling_side__ends_access(env):
    case = env.service.share(_indonesian_case(env), ID_REVIEWER, LEGAL_AID, ORGS)
    share_id = case["shares"][0]["id"]
    case = env.service.decide_share(case, MY_REVIEWER, share_id, True)
    assert _refusal(lambda: env.service.revoke_share(case, MY_REVIEWER, share_id)).reason == \
        Refusal.ROLE_NOT_ALLOWED
    revoked = env.service.revoke_share(case, ID_REVIEWER, share_id, "Handled at home.")
    assert revoked["shares"][0]["state"] == "revoked"
    assert revoked["events"][-1]["kind"] == "share_revoked"
    assert not can_see(env.service.with_teams(MY_REVIEWER), revoked)
    assert _refusal(lambda: env.service.revoke_share(revoked, ID_REVIEWER, share_id)).reason == \
        Refusal.NOT_FROM_THIS_STAGE


def test_expiry__the_sweep_ends_open_shares_once(env):
    case = env.service.share(_indonesian_case(env), ID_REVIEWER, LEGAL_AID, ORGS)
    case = env.service.decide_share(case, MY_REVIEWER, case["shares"][0]["id"], True)
    audited: list[tuple[str, dict]] = []

    def audit(action: str, **details: object) -> None:
        audited.append((action, details))

    assert expire_shares(env.service, env.clock.now, audit) == 0
    env.clock.advance(days=120)
    assert expire_shares(env.service, env.clock.now, audit) == 1
    assert expire_shares(env.service, env.clock.now, audit) == 0  # idempotent
    assert [(action, d["target"], d["share"], d["to"], d["purpose"]) for action, d in audited] \
        == [("case.share_expired", case["_id"], case["shares"][0]["id"], "team:my-team",
             "legal_aid")]
    stored = env.stored(case)
    assert stored["shares"][0]["state"] == "expired"
    assert [e["kind"] for e in stored["events"]].count("share_expired") == 1
    assert not can_see(env.service.with_teams(MY_REVIEWER), stored)


def test_an_offer_past_its_date__cannot_be_accepted(env):
    case = env.service.share(_indonesian_case(env), ID_REVIEWER, LEGAL_AID, ORGS)
    env.clock.advance(days=120)
    refused = _refusal(lambda: env.service.decide_share(case, MY_REVIEWER,
                                                        case["shares"][0]["id"], True))
    assert refused.reason == Refusal.NOT_FROM_THIS_STAGE


def test_transfer__new_team_acts__old_team_sees_status_only(env):
    case = _indonesian_case(env)
    moved = env.service.transfer(case, ID_REVIEWER, "my-team", "Better placed in Malaysia.")
    assert moved["team"] == "my-team" and moved["former_teams"] == ["id-team"]
    assert moved["events"][-1]["kind"] == "transfer"
    assert access_of(env.service.with_teams(MY_REVIEWER), moved) == "handling"
    assert access_of(env.service.with_teams(ID_REVIEWER), moved) == "status"
    assert env.service.available(moved, ID_REVIEWER) == []
    assert _refusal(lambda: env.service.transfer(moved, ID_REVIEWER, "id-team")).reason == \
        Refusal.ROLE_NOT_ALLOWED
    assert "transfer" in [n["kind"] for n in env.told("u_rev")]


def test_plan_share__pure__needs_the_clock_and_the_teams_only(env):
    case = {"_id": "c_1", "team": None, "country": "ID", "consent": {"referral": True},
            "reporter": {}, "dimensions": {}}
    shares, share = plan_share(case, COORDINATOR, LEGAL_AID, env.clock.now,
                               {"my-team": ["MY"], "id-team": ["ID"]}, {})
    assert shares == [share] and share["access"] == "full"
