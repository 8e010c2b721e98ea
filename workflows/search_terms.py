"""Search words for the case list: normalised words of the non-sensitive answers.

Pure core: plain values in, lists of words out. Routing stores `search_terms` on
the case; the queue finds a word by an anchored prefix pattern on that indexed
array (`^word`), because FerretDB has no `$text` index and an unanchored pattern
would read every case. Only `answers` feed it: sensitive answers are sealed before
they are stored and never reach this list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from workflows.identity_keys import normalise_identity

MIN_WORD = 2
MAX_WORD = 40
MAX_TERMS = 400
MAX_QUERY_WORDS = 5


def words(text: str) -> list[str]:
    """Case-folded, accent-free words of `text`, in order, without repeats."""
    found = [w[:MAX_WORD] for w in normalise_identity(text).split() if len(w) >= MIN_WORD]
    return list(dict.fromkeys(found))


def search_terms(case: Mapping[str, Any]) -> list[str]:
    """The words a reviewer can search a case by: reference, local terms, plain answers."""
    texts: list[str] = [str(case.get("reference") or "")]
    terms = case.get("terms")
    texts += [t for t in terms if isinstance(t, str)] if isinstance(terms, list) else []
    answers = case.get("answers")
    for value in (answers.values() if isinstance(answers, Mapping) else ()):
        texts.extend(_texts(value))
    collected: dict[str, None] = {}
    for text in texts:
        for word in words(text):
            collected.setdefault(word)
    return sorted(collected)[:MAX_TERMS]


def _texts(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def query_words(text: str) -> list[str]:
    """The words of a search box entry, at most `MAX_QUERY_WORDS` of them."""
    return words(text)[:MAX_QUERY_WORDS]
