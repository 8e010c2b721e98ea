"""Names and licence numbers of registry entities, made comparable across spellings and scripts.

Pure core: strings in, strings out; no Flask, Celery, pymongo, mongomock or wtforms.
A case names its recruiter or employer in free text, typed by a reporter or a caseworker in
an origin or a destination country: "Syarikat Maju Jaya Sdn. Bhd." in Kuala Lumpur is
"MAJU JAYA SDN BHD" in Jakarta, and a Nepali agency may be written in Devanagari. Matching
(`workflows.registry.matching`) compares the forms made here, never the typed text.

Transliteration is `anyascii`: it covers every script the network's members write in
(Devanagari, Bengali, Sinhala, Thai, Arabic, Chinese, ...), turns native digits into ASCII
ones, and is ISC-licensed.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

#: Legal-form words, as normalised tokens, longest phrases first. They say what kind of
#: company a name belongs to, not which one: "Maju Jaya Sdn Bhd" and "Maju Jaya" are one
#: employer. Malay "syarikat" and English "company" are dropped for the same reason. Words
#: that may carry identity ("trading", "manpower", "overseas") are kept in the name and only
#: counted as generic (`GENERIC_WORDS`). The transliterated forms come from anyascii's
#: output for the Devanagari and Bengali spellings ("प्रा. लि." -> "pra li").
LEGAL_FORMS: tuple[tuple[str, ...], ...] = tuple(sorted({
    ("sendirian", "berhad"), ("sdn", "bhd"), ("sdn",), ("bhd",), ("berhad",), ("s", "b"),
    ("syarikat",), ("pt",), ("cv",), ("tbk",), ("persero",),
    ("private", "limited"), ("pvt", "ltd"), ("pvt",), ("pte", "ltd"), ("pte",),
    ("ltd",), ("limited",), ("co",), ("company",), ("inc",), ("incorporated",),
    ("llc",), ("wll",), ("spc",), ("corp",), ("corporation",), ("plc",), ("gmbh",),
    ("pra", "li"), ("praibhet", "limited"), ("praibhet",),
}, key=lambda phrase: (-len(phrase), phrase)))

#: Legal forms in Chinese and Japanese script, removed before transliteration: anyascii
#: writes a run of Han characters as one word ("YouXianGongSi"), so they cannot be found
#: as tokens afterwards.
CJK_LEGAL_FORMS: tuple[str, ...] = (
    "股份有限公司", "有限責任公司", "有限责任公司", "有限公司", "株式会社", "公司",
)

#: Generic words in Chinese script ("manpower agency", "human resources", "labour
#: services"), set apart before transliteration so they become words of their own.
CJK_GENERIC_WORDS: tuple[str, ...] = ("人力仲介", "人力資源", "人力资源", "勞務", "劳务", "仲介")

#: Words that many unrelated agencies share ("Global Manpower", "Overseas Employment"):
#: kept in the normalised name, but they neither make two names alike when scoring nor make
#: blocking keys. Includes anyascii's spelling of the common Devanagari and Bengali ones.
GENERIC_WORDS: frozenset[str] = frozenset({
    "manpower", "global", "international", "intl", "overseas", "services", "service",
    "recruitment", "recruiting", "recruiters", "agency", "agencies", "employment", "human",
    "resources", "resource", "hr", "consultancy", "consultants", "consultant", "enterprise",
    "enterprises", "trading", "travels", "travel", "tours", "solutions", "group", "holdings",
    "industries", "and", "the", "of", "agensi", "pekerjaan", "tenaga", "kerja", "penempatan",
    "pekerja", "migran", "renlizhongjie", "renliziyuan", "laowu", "zhongjie", "myanpavr", "obhrsij", "obharsij", "rikrutim", "ejensi",
})

#: Initialisms written with dots ("W.L.L.", "P.T."): the dots go so the letters make one word.
_INITIALISM = re.compile(r"(?<![^\W_])(?:[^\W_]\.){2,}")
_CJK_GENERIC = re.compile(f"({'|'.join(sorted(CJK_GENERIC_WORDS, key=len, reverse=True))})")
_NOT_WORD = re.compile(r"[\W_]+")
_CJK = re.compile(r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+)")
_LICENCE_PREFIX = re.compile(
    r"^(?:(?:licen[cs]e|lic|registration|reg|no|number|nr|num)\b[\W_]*)+")
PREFIX_LENGTH = 4


@lru_cache(maxsize=65536)
def normalise_name(name: str) -> str:
    """`name` as lower-case ASCII words without punctuation or legal forms.

    NFKC first (full-width letters, ligatures), then transliteration, case folding,
    punctuation to spaces, legal-form words out. If a name is nothing but legal forms
    ("Sdn Bhd"), they are kept, so no name normalises to an empty string.
    """
    tokens = _tokens(name)
    kept = _without_legal_forms(tokens)
    while kept and (shorter := _without_legal_forms(kept)) != kept:  # "pra ltd li"
        kept = shorter
    return " ".join(kept or tokens)


def significant_tokens(normalised: str) -> tuple[str, ...]:
    """The words of a normalised name that tell one actor from another (not generic)."""
    return tuple(token for token in normalised.split() if token not in GENERIC_WORDS)


def match_keys(name: str) -> list[str]:
    """Blocking keys: a store indexes them so only entities sharing one are scored.

    `sorted:` the significant words in order (word order differs between languages),
    `word:` each significant word (one word added or dropped), `prefix:` the first letters
    of the significant words run together ("Majujaya" and "Maju Jaya"). A name of generic
    words only is keyed by all its words.
    """
    normalised = normalise_name(name)
    if not normalised:
        return []
    significant = significant_tokens(normalised) or tuple(normalised.split())
    keys = [f"sorted:{' '.join(sorted(significant))}"]
    keys += [f"word:{token}" for token in significant if len(token) > 1]
    keys.append(f"prefix:{''.join(significant)[:PREFIX_LENGTH]}")
    return list(dict.fromkeys(keys))


def loose_licence_key(number: str) -> str:
    """A licence or registration number as one comparable string, loosely, for
    finding candidates: a reviewer confirms every link. The registry's own identity of a
    licence (`licences.licence_key`) is stricter, since it merges entities on import.

    Authorities and reporters write the same number as "1234/067/68", "1234-067-68",
    "Lic. No. 1234 067 68" or in Devanagari digits: case, separators and a leading
    "licence no." do not make it another licence. Leading zeros are kept: "067" is part of
    a Nepali fiscal-year stamp, and whether zeros count differs by authority.
    """
    text = anyascii(unicodedata.normalize("NFKC", number)).casefold().strip()
    text = _LICENCE_PREFIX.sub("", text)
    return _NOT_WORD.sub("", text)


def _tokens(name: str) -> list[str]:
    text = unicodedata.normalize("NFKC", name)
    for form in CJK_LEGAL_FORMS:
        text = text.replace(form, " ")
    text = _CJK_GENERIC.sub(r" \1 ", text)
    text = _CJK.sub(r" \1 ", text)  # a Han run is one word after anyascii: keep it apart
    text = anyascii(text).casefold()
    text = _INITIALISM.sub(lambda match: match.group(0).replace(".", ""), text)
    text = text.replace("'", "")
    return _NOT_WORD.sub(" ", text).split()


def _without_legal_forms(tokens: list[str]) -> list[str]:
    kept: list[str] = []
    position = 0
    while position < len(tokens):
        phrase = _legal_form_at(tokens, position)
        if phrase:
            position += len(phrase)
        else:
            kept.append(tokens[position])
            position += 1
    return kept


def _legal_form_at(tokens: list[str], position: int) -> tuple[str, ...] | None:
    for phrase in LEGAL_FORMS:
        if tuple(tokens[position:position + len(phrase)]) == phrase:
            return phrase
    return None
