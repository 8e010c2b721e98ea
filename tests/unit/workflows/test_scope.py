"""Who sees which case: the Mongo filter and `can_see` give the same answer for every
actor and case, and nothing in a request can widen a scope."""

import mongomock
import pytest

from workflows.scope import (
    NOTHING,
    access_of,
    can_see,
    case_filter_for,
    teams_covering,
    tracking_actor,
)

CASES = [
    {"_id": "c_my_org1", "country": "MY", "dimensions": {"destination_country": "MY"},
     "reporter": {"user_id": "u_member", "org_id": "o_1"}},
    {"_id": "c_id_to_my", "country": "ID", "dimensions": {"destination_country": "MY"},
     "reporter": {"user_id": None, "org_id": None}},
    {"_id": "c_sg_org2", "country": "SG", "dimensions": {"destination_country": "SG"},
     "reporter": {"user_id": "u_rep", "org_id": "o_2"}},
    {"_id": "c_hk_anon", "country": "HK", "dimensions": {},
     "reporter": {"user_id": None, "org_id": None}},
]


def actor(roles, actor_id="u_x", org_id=None, countries=()):
    return {"id": actor_id, "roles": list(roles), "org_id": org_id, "countries": list(countries)}


ACTORS = {
    "member of o_1": (actor(["member"], "u_member", "o_1"), {"c_my_org1"}),
    "member without org": (actor(["member"], "u_m"), set()),
    "reviewer MY": (actor(["reviewer"], countries=["MY"]), {"c_my_org1", "c_id_to_my"}),
    "reviewer SG+HK": (actor(["reviewer"], countries=["SG", "HK"]), {"c_sg_org2", "c_hk_anon"}),
    "reviewer without countries": (actor(["reviewer"]), set()),
    # a mission sees the destination states it is assigned, never the handling country's
    "mission ID": (actor(["mission"], countries=["ID"]), set()),
    "mission MY": (actor(["mission"], countries=["MY"]), {"c_my_org1", "c_id_to_my"}),
    "mission and reviewer ID": (actor(["mission", "reviewer"], countries=["ID"]),
                                {"c_id_to_my"}),
    "coordinator": (actor(["coordinator"]), {c["_id"] for c in CASES}),
    "reporter": (actor(["reporter"], "u_rep"), {"c_sg_org2"}),
    "admin": (actor(["admin"], "u_admin", "o_1", ["MY"]), set()),
    "form editor": (actor(["form_editor"], "u_fe", "o_1"), set()),
    "member and reviewer": (actor(["member", "reviewer"], "u_member", "o_2", ["HK"]),
                            {"c_sg_org2", "c_hk_anon"}),
    "no roles": (actor([]), set()),
    "odd countries": (actor(["reviewer"], countries=["my", {"$ne": ""}, "M Y"]), set()),
    "tracking code": (tracking_actor(CASES[3]), {"c_hk_anon"}),
}


@pytest.fixture(scope="module")
def cases():
    collection = mongomock.MongoClient()["scope"]["cases"]
    collection.insert_many([dict(c) for c in CASES])
    return collection


@pytest.mark.parametrize("name", ACTORS)
def test_filter_and_can_see__agree(cases, name):
    who, expected = ACTORS[name]
    found = {c["_id"] for c in cases.find(case_filter_for(who))}
    assert found == expected
    assert {c["_id"] for c in CASES if can_see(who, c)} == expected


def test_admin__sees_nothing():
    assert case_filter_for(actor(["admin"])) == NOTHING


def test_roles_as_one_string__refused():
    with pytest.raises(ValueError):
        case_filter_for({"id": "u", "roles": "coordinator"})


def test_filter__built_only_from_plain_stored_values():
    who = actor(["member", "reporter"], {"$gt": ""}, {"$ne": None})
    assert case_filter_for(who) == NOTHING
    assert not can_see(who, CASES[0])


def test_reviewer_filter__team_then_both_country_fields__one_equality_each():
    """Equalities, not `$in`: each branch is a bounded index range with a filing window.
    The handling team decides once routing set one; the countries before that."""
    who = {**actor(["reviewer"], countries=["SG", "MY"]), "teams": ["my-team"]}
    assert case_filter_for(who, shared=False) == {
        "$or": [{"team": "my-team"},
                {"team": None, "country": "MY"}, {"team": None, "country": "SG"},
                {"team": None, "dimensions.destination_country": "MY"},
                {"team": None, "dimensions.destination_country": "SG"}]}
    assert case_filter_for(actor(["mission"], countries=["MY"])) == {
        "dimensions.destination_country": "MY"}


# -- the handover's access model (docs/handover.md) --------------------------------------

ROUTED = [
    # filed in Indonesia about Malaysia, handled by the Indonesian team, shared with the
    # Malaysian team (accepted, no identity) and with a Malaysian organisation (offered)
    {"_id": "c_shared", "country": "ID", "team": "id-team",
     "dimensions": {"destination_country": "MY"}, "reporter": {"org_id": "o_id"},
     "shares": [{"id": "s_1", "to": {"kind": "team", "key": "my-team"}, "state": "accepted",
                 "access": "no_identity"},
                {"id": "s_2", "to": {"kind": "org", "key": "o_my"}, "state": "offered",
                 "access": "full"}]},
    # transferred from the Malaysian team to the Indonesian one
    {"_id": "c_moved", "country": "MY", "team": "id-team", "former_teams": ["my-team"],
     "dimensions": {"destination_country": "MY"}, "reporter": {"org_id": "o_my"}},
    # handled by the Malaysian team, shared with nobody (a refused and a revoked share)
    {"_id": "c_plain", "country": "ID", "team": "my-team",
     "dimensions": {"destination_country": "MY"}, "reporter": {"org_id": "o_id"},
     "shares": [{"id": "s_3", "to": {"kind": "team", "key": "sg-team"}, "state": "refused"},
                {"id": "s_4", "to": {"kind": "org", "key": "o_sg"}, "state": "revoked"}]},
]


def teamed(roles, countries=(), teams=(), org_id=None, actor_id="u_t"):
    return {**actor(roles, actor_id, org_id, countries), "teams": list(teams)}


#: actor -> (what it sees, what it handles or filed, its access to each case)
ROUTED_ACTORS = {
    "reviewer of the Indonesian team": (
        teamed(["reviewer"], ["ID"], ["id-team"]), {"c_shared", "c_moved"},
        {"c_shared", "c_moved"}, {"c_shared": "handling", "c_moved": "handling"}),
    "reviewer of the Malaysian team": (
        teamed(["reviewer"], ["MY"], ["my-team"]), {"c_shared", "c_moved", "c_plain"},
        {"c_plain"}, {"c_shared": "no_identity", "c_moved": "status", "c_plain": "handling"}),
    "reviewer of a third country": (teamed(["reviewer"], ["SG"], ["sg-team"]), set(), set(), {}),
    "staff of the receiving organisation (offer not accepted)": (
        teamed(["member"], org_id="o_my"), {"c_moved"}, {"c_moved"}, {"c_moved": "own"}),
    "staff of the filing organisation": (
        teamed(["member"], org_id="o_id"), {"c_shared", "c_plain"}, {"c_shared", "c_plain"},
        {"c_shared": "own", "c_plain": "own"}),
    "staff of an organisation whose share was revoked": (
        teamed(["member"], org_id="o_sg"), set(), set(), {}),
    "mission to Malaysia": (
        teamed(["mission"], ["MY"]), {"c_shared", "c_moved", "c_plain"},
        {"c_shared", "c_moved", "c_plain"}, {"c_shared": "mission"}),
    "coordinator": (teamed(["coordinator"]), {c["_id"] for c in ROUTED},
                    {c["_id"] for c in ROUTED}, {"c_shared": "all"}),
    "admin": (teamed(["admin"], ["MY"], ["my-team"], "o_my"), set(), set(), {}),
}


@pytest.fixture(scope="module")
def routed():
    collection = mongomock.MongoClient()["scope"]["routed"]
    collection.insert_many([dict(c) for c in ROUTED])
    return collection


@pytest.mark.parametrize("name", ROUTED_ACTORS)
def test_routed_cases__filter_and_can_see_agree__shared_or_not(routed, name):
    who, sees, handles, levels = ROUTED_ACTORS[name]
    assert {c["_id"] for c in routed.find(case_filter_for(who))} == sees
    assert {c["_id"] for c in ROUTED if can_see(who, c)} == sees
    assert {c["_id"] for c in routed.find(case_filter_for(who, shared=False))} == handles
    assert {c["_id"] for c in ROUTED if can_see(who, c, shared=False)} == handles
    for case in ROUTED:
        if case["_id"] in levels:
            assert access_of(who, case) == levels[case["_id"]]


def test_teams_covering__the_teams_of_the_actors_countries():
    teams = {"my-team": ["MY"], "gulf-team": ["QA", "AE"], "secretariat": []}
    assert teams_covering(["QA", "MY"], teams) == ["gulf-team", "my-team"]
    assert teams_covering([], teams) == []
    assert teams_covering([{"$ne": ""}], teams) == []


def test_teams__only_plain_keys_reach_the_filter():
    who = teamed(["reviewer"], teams=[{"$gt": ""}, "My Team!", "my-team"])
    assert case_filter_for(who, shared=False) == {"team": "my-team"}
