"""Masking removed values inside free text: words, parts of names, scripts, numbers."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exports.masking import NAME_PARTICLES, Masker, Secret

NAME = Secret("Siti Aminah binti Rahman", "name", split=True)


def masked(text: str, *secrets: Secret) -> str:
    return Masker(secrets).mask(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("Siti Aminah binti Rahman", "[name]"),
    ("siti   AMINAH\nbinti rahman came", "[name] came"),
    ("Aminah's employer", "[name]'s employer"),
    ("Rahman and Siti", "[name] and [name]"),
    ("Sitiya and Rahmanto are others", "Sitiya and Rahmanto are others"),
    ("binti alone is not a name", "binti alone is not a name"),
])
def test_name__whole_parts_case_and_boundaries(text: str, expected: str) -> None:
    assert masked(text, NAME) == expected


def test_name__short_parts__not_masked_alone() -> None:
    secret = Secret("Li Na Wong", "name", split=True)
    assert masked("Li Na Wong said Li was here with Wong", secret) == (
        "[name] said Li was here with [name]")


def test_short_whole_value__masked_as_a_word_only() -> None:
    secret = Secret("Ana", "name", split=True)
    assert masked("Ana ate a banana", secret) == "[name] ate a banana"
    assert masked("x", Secret("A", "name")) == "x"


@pytest.mark.parametrize(("secret", "text", "expected"), [
    ("王小明", "王小明在工厂工作", "[name]在工厂工作"),
    ("김민수", "김민수가 말했다", "[name]가 말했다"),
    ("محمد علي", "قال ومحمد للشرطة", "قال و[name] للشرطة"),
    ("রহিম উদ্দিন", "রহিমের মালিক", "[name]ের মালিক"),
])
def test_name__scripts_without_word_boundaries__masked_inside_words(
        secret: str, text: str, expected: str) -> None:
    assert masked(text, Secret(secret, "name", split=True)) == expected


@pytest.mark.parametrize("written", [
    "+60 12-345 6789", "+60123456789", "012-345 6789", "0123456789", "(012) 345.6789",
])
def test_phone__found_by_its_digits(written: str) -> None:
    secret = Secret("+60 12-345 6789", "contact")
    assert masked(f"call {written} now", secret) == "call [contact] now"


def test_phone__other_numbers_kept() -> None:
    secret = Secret("+60 12-345 6789", "contact")
    assert masked("paid 1200 on 2026-03-01, ref 98765432", secret) == (
        "paid 1200 on 2026-03-01, ref 98765432")


def test_document_number__any_case_and_spaced_digits() -> None:
    secret = Secret("A12345678", "document")
    assert masked("passport a12345678, copy reads A 1234 5678", secret) == (
        "passport [document], copy reads A [document]")


def test_email__address_and_user_name() -> None:
    secret = Secret("siti.aminah88@example.org", "contact")
    assert masked("mail SITI.AMINAH88@example.org or fb siti.aminah88", secret) == (
        "mail [contact] or fb [contact]")


def test_other_sensitive_text__default_replacement() -> None:
    secret = Secret("only on Sundays", None)
    assert masked("Call only on Sundays.", secret) == "Call [removed]."


def test_no_secrets__text_unchanged() -> None:
    assert Masker([]).mask("Nothing to hide here: 012-345 6789") == (
        "Nothing to hide here: 012-345 6789")


def test_regex_characters_in_values__taken_literally() -> None:
    secret = Secret("A.B (C)+", "name", split=True)
    assert masked("A.B (C)+ and AxB", secret) == "[name] and AxB"


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéñ"
_PART = st.text(alphabet=_LETTERS, min_size=3, max_size=9)
_FILLER = st.lists(st.sampled_from(["the", "employer", "kept", "her", "passport", "and",
                                    "wages", "in", "Johor", ",", ".", "\n"]), max_size=8)


@settings(max_examples=200, deadline=None)
@given(parts=st.lists(_PART, min_size=1, max_size=3), before=_FILLER, after=_FILLER,
       upper=st.booleans())
def test_property__no_word_of_a_planted_name_survives(parts: list[str], before: list[str],
                                                      after: list[str], upper: bool) -> None:
    name = " ".join(parts)
    planted = name.upper() if upper else name
    text = " ".join([*before, planted, *after, parts[-1]])
    out = masked(text, Secret(name, "name", split=True))
    words = {w.casefold() for w in re.findall(r"\w+", out)}
    shown = {p.casefold() for p in parts if p.casefold() not in NAME_PARTICLES}
    assert not words & shown, out


@settings(max_examples=100, deadline=None)
@given(name=st.text(alphabet="王李张小明华丽芳김민수지영", min_size=2, max_size=4),
       around=st.text(alphabet="在工厂工作她说了。", max_size=10))
def test_property__unspaced_script_name_gone_from_the_text(name: str, around: str) -> None:
    out = masked(around + name + around, Secret(name, "name", split=True))
    assert name not in out
