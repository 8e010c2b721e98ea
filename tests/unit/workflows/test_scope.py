"""Who sees which case: the Mongo filter and `can_see` give the same answer for every
actor and case, and nothing in a request can widen a scope."""

import mongomock
import pytest

from workflows.scope import NOTHING, can_see, case_filter_for, tracking_actor

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


def test_reviewer_filter__both_country_fields__one_equality_each():
    """Equalities, not `$in`: each branch is a bounded index range with a filing window."""
    assert case_filter_for(actor(["reviewer"], countries=["SG", "MY"])) == {
        "$or": [{"country": "MY"}, {"country": "SG"},
                {"dimensions.destination_country": "MY"},
                {"dimensions.destination_country": "SG"}]}
    assert case_filter_for(actor(["mission"], countries=["MY"])) == {
        "dimensions.destination_country": "MY"}
