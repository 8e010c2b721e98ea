"""Consent per purpose: leave out cases whose reporter did not agree, and say so.

Consent is recorded per purpose at intake (case work, referral to partners,
anonymous statistics, public advocacy). Every output names its purpose; a case
without consent to it is left out, and the output states how many were left out
and why: declined, or never recorded (for example, filed before the question
existed). Only an explicit ``True`` counts as consent.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from forms.vocabulary import CONSENT_PURPOSES

PURPOSE_WORDS = {"case_work": "case work", "referral": "referral to partners",
                 "statistics": "anonymous statistics", "advocacy": "public advocacy"}


class UnknownPurposeError(ValueError):
    """A purpose that consent is not recorded for."""


def check_purpose(purpose: str) -> str:
    if purpose not in CONSENT_PURPOSES:
        raise UnknownPurposeError(
            f"unknown consent purpose {purpose!r}; use {', '.join(CONSENT_PURPOSES)}")
    return purpose


def consent_state(case: Mapping[str, Any], purpose: str) -> str:
    """"given", "declined" or "not_recorded" for this case and purpose."""
    consent = case.get("consent")
    value = consent.get(purpose) if isinstance(consent, Mapping) else None
    if value is True:
        return "given"
    return "declined" if value is False else "not_recorded"


@dataclass(frozen=True)
class ConsentSummary:
    """How many cases an output kept and left out for one purpose, and why."""

    purpose: str
    included: int = 0
    declined: int = 0
    not_recorded: int = 0

    @property
    def excluded(self) -> int:
        return self.declined + self.not_recorded

    def notes(self) -> list[str]:
        """Sentences for the file, the page and the report; none when nothing was left out."""
        words = PURPOSE_WORDS.get(self.purpose, self.purpose)
        notes = []
        if self.declined:
            notes.append(f"{_cases(self.declined)} left out: the reporter did not consent "
                         f"to {words}.")
        if self.not_recorded:
            notes.append(f"{_cases(self.not_recorded)} left out: no consent to {words} "
                         f"was recorded.")
        return notes

    @classmethod
    def from_groups(cls, purpose: str, groups: Iterable[Mapping[str, Any]]) -> ConsentSummary:
        """From `pipelines.consent_counts` results: ``{"_id": True|False|None, "n": k}``."""
        counts = {"given": 0, "declined": 0, "not_recorded": 0}
        for group in groups:
            state = consent_state({"consent": {purpose: group.get("_id")}}, purpose)
            counts[state] += int(group.get("n", 0))
        return cls(check_purpose(purpose), counts["given"], counts["declined"],
                   counts["not_recorded"])


def _cases(n: int) -> str:
    return f"{n} case" if n == 1 else f"{n} cases"


class ConsentFilter:
    """Pass on the cases consented for one purpose, counting the others as they stream by.

    The counts are final once the cases have been read to the end; writers ask for
    their notes only then.
    """

    def __init__(self, purpose: str) -> None:
        self.purpose = check_purpose(purpose)
        self._counts = {"given": 0, "declined": 0, "not_recorded": 0}

    def __call__(self, cases: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
        for case in cases:
            state = consent_state(case, self.purpose)
            self._counts[state] += 1
            if state == "given":
                yield case

    def summary(self) -> ConsentSummary:
        return ConsentSummary(self.purpose, self._counts["given"], self._counts["declined"],
                              self._counts["not_recorded"])

    def notes(self) -> list[str]:
        return self.summary().notes()


def consent_filter(purpose: str) -> ConsentFilter:
    """A filter for one purpose: ``kept = f(cases)``, then ``f.summary()`` after streaming."""
    return ConsentFilter(purpose)
