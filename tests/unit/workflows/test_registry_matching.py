"""Candidate matching: an actor named in a case finds its registry entity across
spellings, scripts and licence numbers, and agencies sharing only generic words stay apart.

Measured scores (anyascii 0.3.3, rapidfuzz 3.14) are stated beside the cross-script
cases; the assertions keep a margin below them.
"""

from __future__ import annotations

import dataclasses

import pytest

from workflows.registry.matching import (
    DEFAULT_THRESHOLD,
    OTHER_COUNTRY_PENALTY,
    Candidate,
    candidates,
)


def entity(entity_id: str, name: str, *, kind: str = "recruitment_agency",
           country: str = "NP", aliases: tuple[str, ...] = (),
           licences: tuple[tuple[str, str], ...] = ()) -> dict:
    return {"_id": entity_id, "kind": kind, "name": name, "aliases": list(aliases),
            "country": country,
            "licences": [{"authority": a, "number": n} for a, n in licences]}


MAJU_JAYA = entity("ent_a1", "Syarikat Maju Jaya Sdn. Bhd.", kind="employer", country="MY")
MAJU_JAYA_PLANTATION = entity("ent_a2", "Maju Jaya Plantation Sdn Bhd", kind="employer",
                              country="MY")
JAYA_MAKMUR = entity("ent_a3", "Jaya Makmur Sdn Bhd", kind="employer", country="MY")
SINAR = entity("ent_a4", "Sinar Harapan Sdn Bhd", kind="employer", country="MY")
EVEREST = entity("ent_b1", "Everest Global Manpower Pvt. Ltd.",
                 licences=(("DoFE", "1234/067/68"),))
HIMALAYAN = entity("ent_b2", "Himalayan Global Manpower Pvt. Ltd.",
                   licences=(("DoFE", "1243/067/68"),))
SAGARMATHA = entity("ent_b3", "Sagarmatha Overseas Pvt Ltd", licences=(("DoFE", "877/071/72"),))
NEPAL_OVERSEAS = entity("ent_b4", "Nepal Overseas Manpower Pvt. Ltd.")
SONAR_BANGLA = entity("ent_c1", "Sonar Bangla Recruiting Agency", country="BD",
                      licences=(("BMET", "RL-1021"),))
DAYANG = entity("ent_d1", "Dayang Manpower Agency Co., Ltd.", country="TW")
PACIFIC = entity("ent_d2", "Pacific Manpower Agency Co., Ltd.", country="TW")
REGISTRY = [MAJU_JAYA, MAJU_JAYA_PLANTATION, JAYA_MAKMUR, SINAR, EVEREST, HIMALAYAN,
            SAGARMATHA, NEPAL_OVERSEAS, SONAR_BANGLA, DAYANG, PACIFIC]


def ids(found: list[Candidate]) -> list[str]:
    return [candidate.entity_id for candidate in found]


def score_of(found: list[Candidate], entity_id: str) -> float:
    return next(c.score for c in found if c.entity_id == entity_id)


@pytest.mark.parametrize(
    ("written", "filed_in"),
    [("MAJU JAYA SDN BHD", "ID"),  # an Indonesian organisation's case
     ("Syarikat Maju Jaya Sdn. Bhd.", "MY"),  # a Malaysian organisation's case
     ("Maju Jaya Company", "ID")],
)
def test_one_malaysian_employer_spelled_differently__ranks_it_first_at_100(
        written: str, filed_in: str) -> None:
    found = candidates(written, REGISTRY, country="MY")
    assert found[0] == Candidate("ent_a1", 100.0, ("name", "country"))


def test_the_employer_with_a_word_more__is_a_lower_candidate() -> None:
    found = candidates("Maju Jaya Sdn Bhd", REGISTRY, country="MY")
    assert ids(found)[:2] == ["ent_a1", "ent_a2"]
    assert 80 <= score_of(found, "ent_a2") < 95


def test_another_employer_sharing_one_word__scores_below_the_right_one() -> None:
    found = candidates("Maju Jaya Sdn Bhd", REGISTRY, country="MY")
    assert score_of(found, "ent_a3") <= 85  # measured 80.0: "jaya" is shared
    assert "ent_a4" not in ids(found)


def test_a_spelling_without_the_space__still_finds_the_employer() -> None:
    found = candidates("Majujaya Sdn Bhd", REGISTRY, country="MY")
    assert found[0].entity_id == "ent_a1"
    assert found[0].score >= 85  # measured 89.4


@pytest.mark.parametrize("written", ["1234-067-68", "1234/067/68", "Lic No. 1234 067 68",
                                     "१२३४/०६७/६८"])
def test_a_nepali_agency_known_by_its_licence_number__ranks_first_at_100(written: str) -> None:
    found = candidates("Everest Manpower", REGISTRY, licence=written, country="QA")
    assert found[0] == Candidate("ent_b1", 100.0, ("licence", "other_country"))


def test_a_licence_match__ranks_before_an_exact_name_of_another_entity() -> None:
    found = candidates("Himalayan Global Manpower", REGISTRY, licence="1234-067-68")
    assert ids(found)[:2] == ["ent_b1", "ent_b2"]
    assert [c.score for c in found[:2]] == [100.0, 100.0]
    assert found[0].reasons == ("licence",)


def test_a_licence_match_needs_the_authority_when_one_is_given() -> None:
    assert ids(candidates("", REGISTRY, licence="RL-1021", authority="BMET")) == ["ent_c1"]
    assert candidates("", REGISTRY, licence="RL-1021", authority="DoFE") == []


def test_an_unknown_licence__falls_back_to_the_name() -> None:
    found = candidates("Sagarmatha Overseas", REGISTRY, licence="9999/080/81")
    assert found[0].entity_id == "ent_b3"
    assert "licence" not in found[0].reasons


def test_agencies_sharing_only_generic_words__do_not_both_score_high() -> None:
    found = candidates("Everest Global Manpower Pvt Ltd", REGISTRY, threshold=0, limit=20)
    assert found[0].entity_id == "ent_b1"
    assert found[0].score == 100.0
    assert score_of(found, "ent_b2") < 40  # measured 15.8: only "global manpower" shared
    assert score_of(found, "ent_b4") < 40


def test_generic_words_alone__do_not_match_any_agency_above_the_threshold() -> None:
    found = candidates("Global Manpower", REGISTRY)
    assert found == []  # "Everest Global Manpower" measured 67.1 against the 70 threshold


def test_taiwanese_agencies_sharing_manpower_agency__stay_apart() -> None:
    found = candidates("Pacific Manpower Agency", REGISTRY, country="TW")
    assert ids(found) == ["ent_d2"]


def test_devanagari_name__finds_its_latin_spelling() -> None:
    found = candidates("सगरमाथा ओभरसिज प्रा. लि.", REGISTRY, country="NP")
    assert found[0].entity_id == "ent_b3"
    assert found[0].score >= 80  # measured 84.8 ("sgrmatha obhrsij")


def test_devanagari_name_with_generic_words__finds_its_latin_spelling() -> None:
    found = candidates("नेपाल ओभरसिज म्यानपावर प्रा. लि.", REGISTRY, country="NP")
    assert found[0].entity_id == "ent_b4"
    assert found[0].score >= 85  # measured 93.3


def test_devanagari_loanword__is_found_but_near_the_threshold() -> None:
    """anyascii writes "एभरेस्ट" as "ebhrest": the Latin "Everest" is still first, but
    close to the default threshold (measured 70.9)."""
    found = candidates("एभरेस्ट म्यानपावर", REGISTRY, threshold=60)
    assert found[0].entity_id == "ent_b1"
    assert 65 <= found[0].score < 80


def test_bengali_name__finds_its_latin_spelling() -> None:
    found = candidates("সোনার বাংলা রিক্রুটিং এজেন্সি", REGISTRY, country="BD")
    assert found[0] == Candidate("ent_c1", pytest.approx(80.8, abs=5), ("name", "country"))


def test_chinese_name__finds_its_latin_spelling_and_not_another_agency() -> None:
    found = candidates("大洋人力仲介股份有限公司", REGISTRY, country="TW")
    assert ids(found) == ["ent_d1"]
    assert found[0].score >= 85  # measured 90.5


def test_chinese_alias__is_matched_as_an_alias() -> None:
    dayang = {**DAYANG, "aliases": ["大洋人力仲介有限公司"]}
    found = candidates("大洋人力仲介股份有限公司", [dayang, PACIFIC])
    assert found == [Candidate("ent_d1", 100.0, ("alias",))]


def test_another_country__lowers_the_score_but_keeps_the_candidate() -> None:
    home = candidates("Maju Jaya", [MAJU_JAYA], country="MY")[0]
    abroad = candidates("Maju Jaya", [MAJU_JAYA], country="SG")[0]
    assert abroad.score == home.score - OTHER_COUNTRY_PENALTY
    assert abroad.reasons == ("name", "other_country")


def test_no_country__neither_rewards_nor_lowers() -> None:
    found = candidates("Maju Jaya", [MAJU_JAYA])
    assert found == [Candidate("ent_a1", 100.0, ("name",))]


def test_ties__go_by_name_then_id_whatever_the_order_given() -> None:
    twins = [entity("ent_z9", "Maju Jaya"), entity("ent_z1", "Maju Jaya"),
             entity("ent_z5", "MAJU JAYA SDN BHD")]
    forward = candidates("Maju Jaya", twins)
    backward = candidates("Maju Jaya", list(reversed(twins)))
    assert ids(forward) == ids(backward) == ["ent_z1", "ent_z5", "ent_z9"]


def test_limit_and_threshold__bound_the_list() -> None:
    found = candidates("Maju Jaya", REGISTRY, limit=1)
    assert ids(found) == ["ent_a1"]
    assert all(c.score >= DEFAULT_THRESHOLD for c in candidates("Maju Jaya", REGISTRY))
    assert candidates("Maju Jaya", REGISTRY, limit=0) == []


def test_a_blank_name_without_licence__has_no_candidates() -> None:
    assert candidates("   ", REGISTRY) == []


def test_candidates_are_frozen() -> None:
    found = candidates("Maju Jaya", REGISTRY)[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.score = 1.0  # type: ignore[misc]
