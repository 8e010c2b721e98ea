"""Duplicate keys: the same person written differently gives the same keys, and the
keys reveal nothing without the secret."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from workflows.routing import duplicate_keys, normalise_identity

SECRET = b"test-secret-key"
WORKER = {
    "worker_name": "Siti Nur Aisyah",
    "nationality": "ID",
    "destination_country": "MY",
    "employer_name": "Tan Holdings Sdn Bhd",
    "passport_number": "B1234567",
}


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("  Siti   Nur  ", "siti nur"),
        ("SITI-NUR", "siti nur"),
        ("José Ñúñez", "jose nunez"),
        ("D'Souza", "dsouza"),
        ("D\u2019Souza", "dsouza"),
        ("Straße", "strasse"),
        ("Nguyễn Thị Lan", "nguyen thi lan"),
        ("Tan Holdings Sdn. Bhd.", "tan holdings sdn bhd"),
        ("مُحَمَّد", "محمد"),  # Arabic vowel marks are optional in writing
        ("मुकेश कुमार", "मुकेश कुमार"),  # Devanagari vowel signs change the name: kept
        ("김민준", "김민준"),
        ("ＡＢＣ１２３", "abc123"),  # full-width forms
        ("!!!", ""),
    ],
)
def test_normalise_identity(written: str, normalised: str) -> None:
    assert normalise_identity(written) == normalised


def test_same_person_written_differently__same_keys() -> None:
    variant = {
        "worker_name": "  SITI-NUR  aisyah ",
        "nationality": "id",
        "destination_country": "my",
        "employer_name": "Tan Holdings Sdn. Bhd.",
        "passport_number": "b 123-4567",
    }
    assert duplicate_keys(variant, SECRET) == duplicate_keys(WORKER, SECRET)


def test_keys__one_per_kind__prefixed_and_hex() -> None:
    keys = duplicate_keys(WORKER, SECRET)
    assert [key.split(":")[0] for key in keys] == ["wnd", "ew", "pp"]
    assert all(len(key.split(":")[1]) == 64 for key in keys)


def test_keys__are_hmac_sha256_of_the_normalised_parts() -> None:
    expected = hmac.new(SECRET, b"pp\x1fb1234567", hashlib.sha256).hexdigest()
    assert duplicate_keys({"passport_number": "B-123 4567"}, SECRET) == [f"pp:{expected}"]


@pytest.mark.parametrize(
    ("missing", "kinds"),
    [
        ("passport_number", ["wnd", "ew"]),
        ("employer_name", ["wnd", "pp"]),
        ("worker_name", ["pp"]),
        ("nationality", ["ew", "pp"]),
        ("destination_country", ["ew", "pp"]),
    ],
)
def test_keys__made_only_when_every_part_is_known(missing: str, kinds: list[str]) -> None:
    for blank in (None, "", "  ", "--", 42):
        fields = WORKER | {missing: blank}
        assert [key.split(":")[0] for key in duplicate_keys(fields, SECRET)] == kinds


def test_different_people__different_keys() -> None:
    other = WORKER | {"worker_name": "Siti Nur Aisah", "passport_number": "B1234568"}
    shared = set(duplicate_keys(WORKER, SECRET)) & set(duplicate_keys(other, SECRET))
    assert shared == set()


def test_keys__depend_on_the_secret_and_hide_the_values() -> None:
    keys = duplicate_keys(WORKER, SECRET)
    assert set(keys).isdisjoint(duplicate_keys(WORKER, b"another-secret"))
    joined = " ".join(keys)
    assert "siti" not in joined.lower() and "1234567" not in joined


def test_key_kinds__never_collide_with_each_other() -> None:
    # The same text as a passport number and as the only other part cannot match.
    same = "ab12"
    pp = duplicate_keys({"passport_number": same}, SECRET)[0].split(":")[1]
    ew = duplicate_keys({"employer_name": same, "worker_name": same}, SECRET)[0].split(":")[1]
    assert pp != ew


@pytest.mark.parametrize("secret", [b"", "text-secret", None])
def test_missing_or_text_secret__is_a_programming_error(secret: object) -> None:
    with pytest.raises(ValueError, match="secret"):
        duplicate_keys(WORKER, secret)  # type: ignore[arg-type]


@given(st.text(max_size=30))
@example("a\u037a")  # folds only once decomposed
def test_normalise_identity__is_idempotent_and_trimmed(text: str) -> None:
    once = normalise_identity(text)
    assert normalise_identity(once) == once
    assert once == once.strip() and "  " not in once


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=40))
@example("D'Souza\tSdn.Bhd. `x´")
def test_normalise_identity__plain_ascii_follows_the_same_rules_as_any_text(text: str) -> None:
    """ASCII text has its own fast way through: it must give what the full Unicode
    rules give, which one non-ASCII word beside it sends the text through."""
    assert normalise_identity(text + " é") == " ".join([normalise_identity(text), "e"]).strip()
