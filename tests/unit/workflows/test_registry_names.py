"""Registry names: one actor written differently, in any script, normalises alike; its
licence number written differently gives one key; blocking keys bring spellings together."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows.registry.names import (
    loose_licence_key,
    match_keys,
    normalise_name,
    significant_tokens,
)


@pytest.mark.parametrize(
    "written",
    [
        "Syarikat Maju Jaya Sdn. Bhd.",  # as a Malaysian organisation files it
        "MAJU JAYA SDN BHD",  # as an Indonesian organisation files it
        "Maju Jaya Company",
        "Maju  Jaya, Sendirian Berhad",
        "ＭＡＪＵ　ＪＡＹＡ S/B",  # full-width letters and space, typed on a phone
        "maju-jaya bhd",
    ],
)
def test_one_malaysian_employer__normalises_to_one_name(written: str) -> None:
    assert normalise_name(written) == "maju jaya"


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("PT. Sinar Harapan Tbk", "sinar harapan"),
        ("CV Karya Mandiri", "karya mandiri"),
        ("Everest Global Manpower Pvt. Ltd.", "everest global manpower"),
        ("Everest Global Manpower Private Limited", "everest global manpower"),
        ("Al Mana Trading W.L.L.", "al mana trading"),
        ("Al-Mana Trading WLL", "al mana trading"),
        ("Gulf Star LLC", "gulf star"),
        ("Lion Recruiters Pte Ltd", "lion recruiters"),
        ("Acme Inc.", "acme"),
        ("Dhaka Co. Ltd", "dhaka"),
    ],
)
def test_legal_forms__are_removed_and_other_words_kept(written: str, normalised: str) -> None:
    assert normalise_name(written) == normalised


def test_legal_form_letters_inside_a_word__are_kept() -> None:
    assert normalise_name("Ptolemy Coltd Incubator") == "ptolemy coltd incubator"
    assert normalise_name("Bhdra Travels") == "bhdra travels"


def test_a_name_of_legal_forms_only__is_not_emptied() -> None:
    assert normalise_name("Sdn Bhd") == "sdn bhd"


def test_devanagari__is_transliterated_without_the_legal_form() -> None:
    assert normalise_name("नेपाल ओभरसिज म्यानपावर प्रा. लि.") == "nepal obhrsij myanpavr"


def test_bengali__is_transliterated() -> None:
    assert normalise_name("সোনার বাংলা রিক্রুটিং এজেন্সি") == "sonar bamla rikrutim ejensi"


def test_chinese__is_transliterated_with_the_legal_form_removed_and_generic_words_apart() -> None:
    assert normalise_name("大洋人力仲介股份有限公司") == "dayang renlizhongjie"
    assert normalise_name("大洋人力仲介有限公司") == "dayang renlizhongjie"


def test_generic_words__are_not_significant() -> None:
    assert significant_tokens(normalise_name("Everest Global Manpower Pvt Ltd")) == ("everest",)
    assert significant_tokens(normalise_name("大洋人力仲介股份有限公司")) == ("dayang",)


@pytest.mark.parametrize(
    "written",
    ["1234/067/68", "1234-067-68", "1234 067 68", "1234.067.68", "Lic. No. 1234/067/68",
     "licence no 1234-067-68", "१२३४/०६७/६८", " 1234／067／68 "],
)
def test_one_nepali_licence_written_differently__has_one_key(written: str) -> None:
    assert loose_licence_key(written) == "123406768"


def test_licence_letters__are_case_folded() -> None:
    assert loose_licence_key("POEA-123-LB-031524-R") == loose_licence_key("poea 123 lb 031524 r")


def test_different_licences__have_different_keys() -> None:
    assert loose_licence_key("1234/067/68") != loose_licence_key("1243/067/68")
    assert loose_licence_key("1234/067/68") != loose_licence_key("1234/67/68")  # zeros are kept


def test_spellings_of_one_employer__share_a_blocking_key() -> None:
    keys = [set(match_keys(name)) for name in
            ("Syarikat Maju Jaya Sdn. Bhd.", "MAJU JAYA SDN BHD", "Maju Jaya Company",
             "Majujaya Sdn Bhd", "Jaya Maju Sdn Bhd")]
    assert all(k & keys[0] for k in keys)
    assert "sorted:jaya maju" in keys[0]


def test_blocking_keys__leave_out_generic_words() -> None:
    everest = set(match_keys("Everest Global Manpower Pvt Ltd"))
    himalayan = set(match_keys("Himalayan Global Manpower Pvt Ltd"))
    assert everest & himalayan == set()
    assert "word:global" not in everest


def test_blocking_keys_of_a_blank_name__are_none() -> None:
    assert match_keys("  ") == []
    assert match_keys("") == []


@given(st.text(max_size=60))
def test_normalising__is_idempotent_and_ascii(name: str) -> None:
    once = normalise_name(name)
    assert once.isascii()
    assert normalise_name(once) == once
