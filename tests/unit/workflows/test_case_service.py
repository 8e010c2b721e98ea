"""The case service on the embedded store: routing, guarded transitions, assignment,
notes and follow-up actions, each change one guarded write with its event."""

from datetime import timedelta

import pytest
from workflow_service_env import (
    COORDINATOR,
    MEMBER,
    MISSION,
    OTHER_MEMBER,
    OTHER_REVIEWER,
    REVIEWER,
    SG_REVIEWER,
    make_env,
)

from workflows.errors import Refusal, StaleVersion, TransitionNotAllowed
from workflows.scope import tracking_actor


@pytest.fixture
def env():
    return make_env()


def kinds(case):
    return [(e["kind"], e.get("transition")) for e in case["events"]]


# -- routing ---------------------------------------------------------------------


def test_route__team_priority_search_words_deadlines_in_one_write(env):
    case = env.file(flags={"risk_to_life": True, "detention": False, "trafficking": False,
                           "minor": False}, caseworker_gender="woman", terms=["pati"])
    routed = env.service.route(case["_id"])
    assert routed["stage"] == "in_review" and routed["version"] == 2
    assert routed["team"] == "my-team" and routed["priority"] == "urgent"
    assert routed["caseworker_gender"] == "woman"
    assert {"pati", "majikan", "pasport"} <= set(routed["search_terms"])
    assert routed["deadlines"]["review"] == env.clock.now + timedelta(days=14)
    assert routed["due_at"] == routed["reminder_at"] == routed["deadlines"]["review"]
    assert routed["escalate_at"] == env.clock.now + timedelta(days=21)
    event = routed["events"][-1]
    assert (event["actor"], event["from"], event["to"]) == ("system", "submitted", "in_review")
    assert event["data"]["team"] == "my-team"
    assert "priority:danger_signs:flag:risk_to_life" in event["data"]["reasons"]


def test_route__twice__changes_nothing_more(env):
    case = env.file()
    first = env.service.route(case["_id"])
    again = env.service.route(case["_id"])
    assert again == first and env.stored(case)["version"] == 2


def test_route__after_a_reviewer_acted__changes_nothing(env):
    routed = env.routed()
    verified = env.service.transition(routed, "verify", REVIEWER, {}, routed["version"])
    assert env.service.route(routed["_id"]) == verified


def test_route__unknown_case__none(env):
    assert env.service.route("c_missing") is None


def test_route__a_concurrent_change__reads_again_and_routes_once(env):
    case = env.file()
    real_apply = env.repo.apply
    calls = []

    def apply_after_a_note(current, result, extra=None):
        if not calls:  # someone writes a note between our read and our write
            env.service.add_note(env.stored(current), MEMBER, "More details")
        calls.append(1)
        return real_apply(current, result, extra)

    env.repo.apply = apply_after_a_note
    routed = env.service.route(case["_id"])
    assert routed["stage"] == "in_review" and len(calls) == 2
    assert [k for k, _ in kinds(routed)].count("note") == 1


def test_route__possible_duplicates_by_keys_within_the_window(env):
    old = env.routed(duplicate_keys=["pp:aaa"], created_at=env.clock.now - timedelta(days=400))
    recent = env.routed(duplicate_keys=["ew:bbb", "pp:aaa"])
    other = env.routed(duplicate_keys=["pp:zzz"])
    case = env.file(duplicate_keys=["pp:aaa", "wnd:ccc"])
    routed = env.service.route(case["_id"])
    assert routed["possible_duplicates"] == [recent["reference"]]
    assert old["reference"] not in routed["possible_duplicates"]
    assert other["reference"] not in routed["possible_duplicates"]


def test_route__no_keys__no_duplicates(env):
    env.file(duplicate_keys=[])
    assert env.routed(duplicate_keys=[])["possible_duplicates"] == []


def test_route__destination_outside_every_team__secretariat(env):
    routed = env.routed(country="XX", dimensions={"destination_country": "FR"})
    assert routed["team"] == "secretariat"


# -- transitions -----------------------------------------------------------------


def test_transition__event_with_actor_stage_and_note(env):
    routed = env.routed()
    asked = env.service.transition(routed, "needs_info", REVIEWER,
                                   {"note": "Which agency?"}, routed["version"])
    event = asked["events"][-1]
    assert (event["actor"], event["from"], event["to"], event["note"]) == (
        "u_rev", "in_review", "needs_info", "Which agency?")
    assert asked["version"] == routed["version"] + 1
    assert asked["due_at"] == env.clock.now + timedelta(days=30)


def test_transition__old_version__stale_and_nothing_written(env):
    routed = env.routed()
    with pytest.raises(StaleVersion):
        env.service.transition(routed, "verify", REVIEWER, {}, routed["version"] - 1)
    assert env.stored(routed) == routed


def test_transition__two_reviewers_close_at_once__one_wins(env):
    routed = env.routed()
    case = env.service.transition(routed, "verify", REVIEWER, {}, routed["version"])
    case = env.service.transition(case, "start_follow_up", REVIEWER, {}, case["version"])
    seen_by_both = env.stored(case)
    closed = env.service.transition(seen_by_both, "close", REVIEWER, {"outcome": "resolved"},
                                    seen_by_both["version"])
    with pytest.raises(StaleVersion):
        env.service.transition(seen_by_both, "close", OTHER_REVIEWER,
                               {"outcome": "unresolved"}, seen_by_both["version"])
    stored = env.stored(case)
    assert stored == closed and stored["outcome"] == "resolved"
    assert [e["to"] for e in stored["events"]].count("closed") == 1


def test_transition__refused__reason_and_nothing_written(env):
    routed = env.routed()
    with pytest.raises(TransitionNotAllowed) as refused:
        env.service.transition(routed, "reject", REVIEWER, {}, routed["version"])
    assert refused.value.reason == Refusal.MISSING_DATA
    with pytest.raises(TransitionNotAllowed) as refused:
        env.service.transition(routed, "verify", MEMBER, {}, routed["version"])
    assert refused.value.reason == Refusal.ROLE_NOT_ALLOWED
    assert env.stored(routed) == routed


def test_transition__case_outside_the_actors_scope__refused(env):
    routed = env.routed()
    with pytest.raises(TransitionNotAllowed) as refused:
        env.service.transition(routed, "verify", SG_REVIEWER, {}, routed["version"])
    assert refused.value.reason == Refusal.ROLE_NOT_ALLOWED
    assert env.service.available(routed, SG_REVIEWER) == []


def test_transition__version_not_a_number__refused(env):
    routed = env.routed()
    with pytest.raises(TransitionNotAllowed):
        env.service.transition(routed, "verify", REVIEWER, {}, "2")


def test_available__only_what_the_actor_may_take(env):
    routed = env.routed()
    assert [t.name for t in env.service.available(routed, REVIEWER)] == [
        "request_info", "verify", "reject", "mark_duplicate"]
    assert env.service.available(routed, MEMBER) == []
    assert env.service.available(routed, MISSION) == []


def test_request_and_provide_info__member_answers_and_both_sides_are_told(env):
    routed = env.service.claim(env.routed(), REVIEWER)
    asked = env.service.transition(routed, "request_info", REVIEWER, {"note": "Dates?"},
                                   routed["version"])
    assert [n["kind"] for n in env.told("u_member")] == ["info_requested"]
    answered = env.service.provide_info(asked, MEMBER, "From March to May")
    assert answered["stage"] == "in_review"
    assert answered["events"][-1]["note"] == "From March to May"
    assert [n["kind"] for n in env.told("u_rev")] == ["info_provided"]


def test_provide_info__other_organisation__refused(env):
    routed = env.routed()
    asked = env.service.transition(routed, "request_info", REVIEWER, {"note": "Dates?"},
                                   routed["version"])
    with pytest.raises(TransitionNotAllowed):
        env.service.provide_info(asked, OTHER_MEMBER, "not mine")


def test_provide_info__anonymous_reporter_with_the_tracking_code(env):
    routed = env.routed(reporter={"anonymous": True, "user_id": None, "org_id": None})
    asked = env.service.transition(routed, "request_info", REVIEWER, {"note": "Dates?"},
                                   routed["version"])
    answered = env.service.provide_info(asked, tracking_actor(asked), "In April")
    assert answered["stage"] == "in_review" and answered["events"][-1]["actor"] == "reporter"
    other = env.routed()
    with pytest.raises(TransitionNotAllowed):
        env.service.provide_info(other, tracking_actor(asked), "wrong case")


# -- assignment and notes ----------------------------------------------------------


def test_claim__reviewer_takes_the_case(env):
    claimed = env.service.claim(env.routed(), REVIEWER)
    assert claimed["assignee"] == "u_rev" and claimed["events"][-1]["kind"] == "assignment"
    assert env.told("u_rev") == []


def test_assign__notifies_the_assignee_once(env):
    assigned = env.service.assign(env.routed(), COORDINATOR, "u_rev2")
    assert assigned["assignee"] == "u_rev2"
    notes = env.told("u_rev2")
    assert [(n["kind"], n["reference"], n["read"]) for n in notes] == [
        ("assignment", assigned["reference"], False)]


@pytest.mark.parametrize("assignee", ["u_sg", "u_member", "u_nobody", ""])
def test_assign__someone_who_cannot_hold_it__refused(env, assignee):
    routed = env.routed()
    with pytest.raises(TransitionNotAllowed):
        env.service.assign(routed, COORDINATOR, assignee)
    assert env.stored(routed)["assignee"] is None


def test_claim__member_mission_or_finished_case__refused(env):
    routed = env.routed()
    for actor in (MEMBER, MISSION):
        with pytest.raises(TransitionNotAllowed):
            env.service.claim(routed, actor)
    rejected = env.service.transition(routed, "reject", REVIEWER, {"reason": "Not a violation"},
                                      routed["version"])
    with pytest.raises(TransitionNotAllowed):
        env.service.claim(rejected, REVIEWER)


def test_add_note__internal_event_and_stage_kept(env):
    routed = env.routed()
    noted = env.service.add_note(routed, MEMBER, "  Called the shelter  ")
    event = noted["events"][-1]
    assert (event["kind"], event["note"], event["internal"]) == ("note", "Called the shelter",
                                                                  True)
    assert noted["stage"] == "in_review" and noted["version"] == routed["version"] + 1


@pytest.mark.parametrize("text", ["", "   ", None, {"$set": 1}, "x" * 10_001])
def test_add_note__empty_or_not_text__refused(env, text):
    with pytest.raises(TransitionNotAllowed):
        env.service.add_note(env.routed(), REVIEWER, text)


def test_add_note__mission__refused(env):
    with pytest.raises(TransitionNotAllowed):
        env.service.add_note(env.routed(), MISSION, "hello")


# -- follow-up actions ---------------------------------------------------------------


def verified(env):
    routed = env.routed()
    return env.service.transition(routed, "verify", REVIEWER, {}, routed["version"])


ACTION = {"type": "legal_aid_referral", "responsible_org": "Tenaganita", "due": "2026-03-20"}


def test_follow_up__added_and_closing_waits_for_it(env):
    case = env.service.add_follow_up(verified(env), REVIEWER, ACTION)
    action = case["follow_ups"][0]
    assert (action["type"], action["status"], action["due"]) == (
        "legal_aid_referral", "planned", "2026-03-20")
    assert case["follow_up_due_at"] == action["due_at"]
    case = env.service.transition(case, "start_follow_up", REVIEWER, {}, case["version"])
    with pytest.raises(TransitionNotAllowed) as refused:
        env.service.transition(case, "close", REVIEWER, {"outcome": "referred"}, case["version"])
    assert refused.value.reason == Refusal.OPEN_FOLLOW_UPS
    case = env.service.update_follow_up(case, REVIEWER, action["id"],
                                        {"status": "done", "result": "Lawyer appointed"})
    assert case["follow_ups"][0]["result"] == "Lawyer appointed"
    assert case["follow_up_due_at"] is None
    with pytest.raises(TransitionNotAllowed) as refused:
        env.service.transition(case, "close", REVIEWER, {}, case["version"])
    assert refused.value.reason == Refusal.MISSING_DATA
    closed = env.service.transition(case, "close", REVIEWER, {"outcome": "referred"},
                                    case["version"])
    assert closed["stage"] == "closed" and closed["outcome"] == "referred"


def test_follow_up__cancelled_counts_as_finished(env):
    case = env.service.add_follow_up(verified(env), REVIEWER, ACTION)
    case = env.service.transition(case, "start_follow_up", REVIEWER, {}, case["version"])
    case = env.service.update_follow_up(case, REVIEWER, case["follow_ups"][0]["id"],
                                        {"status": "cancelled"})
    assert env.service.transition(case, "close", REVIEWER, {"outcome": "withdrawn"},
                                  case["version"])["stage"] == "closed"


@pytest.mark.parametrize("action, field", [
    ({**ACTION, "type": "prayer"}, "type"),
    ({**ACTION, "due": "20 March"}, "due"),
    ({**ACTION, "due": "2026-02-30"}, "due"),
    ({**ACTION, "status": "maybe"}, "status"),
    ({**ACTION, "responsible_org": {"$ne": ""}}, "responsible_org"),
    ({**ACTION, "colour": "red"}, "colour"),
    ({"type": "shelter"}, "responsible_org"),
])
def test_follow_up__bad_values__refused_by_name(env, action, field):
    case = verified(env)
    with pytest.raises(TransitionNotAllowed) as refused:
        env.service.add_follow_up(case, REVIEWER, action)
    assert field in refused.value.fields
    assert env.stored(case)["follow_ups"] == []


def test_follow_up__before_verification_or_by_a_member__refused(env):
    with pytest.raises(TransitionNotAllowed) as refused:
        env.service.add_follow_up(env.routed(), REVIEWER, ACTION)
    assert refused.value.reason == Refusal.NOT_FROM_THIS_STAGE
    with pytest.raises(TransitionNotAllowed):
        env.service.add_follow_up(verified(env), MEMBER, ACTION)


def test_follow_up__unknown_action__refused(env):
    case = env.service.add_follow_up(verified(env), REVIEWER, ACTION)
    with pytest.raises(TransitionNotAllowed):
        env.service.update_follow_up(case, REVIEWER, "f_000000000000", {"status": "done"})


def test_follow_up__stale_copy__conflict(env):
    case = verified(env)
    env.service.add_follow_up(case, REVIEWER, ACTION)
    with pytest.raises(StaleVersion):
        env.service.add_follow_up(case, COORDINATOR, {**ACTION, "type": "shelter"})
    assert len(env.stored(case)["follow_ups"]) == 1


def test_whole_path__every_step_on_the_timeline(env):
    case = env.file()
    case = env.service.route(case["_id"])
    case = env.service.claim(case, REVIEWER)
    case = env.service.transition(case, "request_info", REVIEWER, {"note": "Dates?"},
                                  case["version"])
    case = env.service.provide_info(case, MEMBER, "March")
    case = env.service.transition(case, "verify", REVIEWER, {}, case["version"])
    case = env.service.transition(case, "start_follow_up", REVIEWER, {}, case["version"])
    case = env.service.add_follow_up(case, REVIEWER, ACTION)
    case = env.service.update_follow_up(case, REVIEWER, case["follow_ups"][0]["id"],
                                        {"status": "done", "result": "Case filed"})
    case = env.service.transition(case, "close", REVIEWER, {"outcome": "resolved"},
                                  case["version"])
    assert [e["to"] for e in case["events"] if e["kind"] == "transition"] == [
        "submitted", "in_review", "needs_info", "in_review", "verified", "follow_up", "closed"]
    assert case["version"] == 1 + len(case["events"]) - 1
