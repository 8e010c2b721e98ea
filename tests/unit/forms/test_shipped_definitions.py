"""The form definitions shipped in ``forms/definitions/`` and the taxonomy data they use.

Every shipped form must compile with zero problems, carry the agreed languages,
collect gender and consent per purpose, and map its local terms to MWC articles so
that the same facts give the same articles whatever country form records them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

import pytest

from forms.answers import chosen_terms, derive_consent, derive_flags, derive_mwc
from forms.compiler import compile_form
from forms.dimensions import load_dimensions
from forms.loader import load_yaml
from forms.mwc import load_taxonomy
from forms.schema import FormDefinition
from forms.shipped import shipped_sources

ALL_LANGUAGES = ["en", "ms", "zh-Hans", "zh-Hant", "tl", "ko", "ar", "id", "bn", "ne", "my", "vi"]
COUNTRY_FORMS = {
    "my-intake": ("MY", ["en", "ms"]),
    "sg-intake": ("SG", ["en", "zh-Hans"]),
    "hk-intake": ("HK", ["en", "zh-Hant", "tl"]),
    "kr-intake": ("KR", ["ko", "en"]),
    "sa-intake": ("SA", ["ar", "en"]),
    "ph-intake": ("PH", ["en", "tl"]),
    "id-intake": ("ID", ["id", "en"]),
    "bd-intake": ("BD", ["bn", "en"]),
    "np-intake": ("NP", ["ne", "en"]),
    "mm-intake": ("MM", ["my", "en"]),
    "vn-intake": ("VN", ["vi", "en"]),
}
ORIGIN_FORMS = ("ph-intake", "id-intake", "bd-intake", "np-intake", "mm-intake", "vn-intake")
SHIPPED = ("mwc-base", *COUNTRY_FORMS)
CONSENT_PURPOSES = ("case_work", "referral", "statistics", "advocacy")

# Money amounts and percentages change often (wage floors, fee caps); the forms
# describe such rules without the figure.
VOLATILE_FIGURE = re.compile(r"[$%₩৳]|\b(?:RM|NPR|Rp|SGD|HKD|SAR|USD)\s?\d|ريال")


@functools.cache
def _compiled(form_id: str) -> FormDefinition:
    result = compile_form(form_id, shipped_sources())
    assert result.problems == (), "\n".join(p.message for p in result.problems)
    return result.unwrap()


def _texts(definition: FormDefinition) -> Iterator[tuple[str, dict[str, str]]]:
    yield "title", dict(definition.title)
    yield "description", dict(definition.description)
    for term in definition.terms:
        yield f"term {term.id}", {**term.label, **{f"{k}/help": v for k, v in term.help.items()}}
    for section in definition.sections:
        yield f"section {section.id}", {**section.title, **section.help}
        for field in section.fields:
            yield f"field {field.id}", {**field.label, **{f"{k}/help": v for k, v in field.help.items()}}
            for choice in field.choices:
                yield f"choice {field.id}.{choice.value}", dict(choice.label)


# --- every form compiles -----------------------------------------------------------


def test_the_agreed_forms_are_shipped() -> None:
    assert set(shipped_sources()) == set(SHIPPED)


@pytest.mark.parametrize("form_id", SHIPPED)
def test_shipped_form__compiles_with_no_problems(form_id: str) -> None:
    result = compile_form(form_id, shipped_sources())
    assert result.problems == (), "\n".join(p.message for p in result.problems)
    assert result.ok


# --- languages ---------------------------------------------------------------------


def test_base_form__carries_all_twelve_languages() -> None:
    base = _compiled("mwc-base")
    assert list(base.languages) == ALL_LANGUAGES
    assert base.country is None and base.extends is None


@pytest.mark.parametrize("form_id", COUNTRY_FORMS)
def test_country_form__has_its_country_and_languages_and_extends_the_base(form_id: str) -> None:
    country, languages = COUNTRY_FORMS[form_id]
    definition = _compiled(form_id)
    assert definition.country == country
    assert list(definition.languages) == languages
    assert shipped_sources()[form_id].data["extends"] == "mwc-base"


def test_saudi_form__is_arabic_first_and_right_to_left() -> None:
    definition = _compiled("sa-intake")
    assert definition.default_language == "ar"
    assert definition.text_direction("ar") == "rtl"


def test_korean_indonesian_and_bangla_forms__put_the_local_language_first() -> None:
    assert _compiled("kr-intake").default_language == "ko"
    assert _compiled("id-intake").default_language == "id"
    assert _compiled("bd-intake").default_language == "bn"


@pytest.mark.parametrize("form_id", SHIPPED)
def test_every_text__is_translated_into_every_language_of_the_form(form_id: str) -> None:
    definition = _compiled(form_id)
    for where, text in _texts(definition):
        if not text:
            continue
        for lang in definition.languages:
            assert text.get(lang, "").strip(), f"{form_id}: {where} has no {lang} text"


@pytest.mark.parametrize("form_id", SHIPPED)
def test_no_text__states_a_money_amount_or_percentage(form_id: str) -> None:
    for where, text in _texts(_compiled(form_id)):
        for lang, value in text.items():
            assert not VOLATILE_FIGURE.search(value), f"{form_id}: {where} [{lang}]: {value}"


# --- local terms -------------------------------------------------------------------


@pytest.mark.parametrize("form_id", COUNTRY_FORMS)
def test_country_form__has_five_or_more_terms_each_mapped_to_mwc(form_id: str) -> None:
    terms = _compiled(form_id).terms
    assert len(terms) >= 5
    for term in terms:
        assert term.mwc, f"{form_id}: term {term.id} has no MWC articles"
        assert term.help, f"{form_id}: term {term.id} has no explanation"


@pytest.mark.parametrize("form_id", COUNTRY_FORMS)
def test_every_term__is_shown_beside_a_question_or_linked_to_a_choice(form_id: str) -> None:
    definition = _compiled(form_id)
    used = {t for f in definition.fields() for t in f.terms}
    used |= {c.term for f in definition.fields() for c in f.choices if c.term}
    assert {t.id for t in definition.terms} <= used


@pytest.mark.parametrize("form_id", COUNTRY_FORMS)
def test_country_form__links_at_least_one_term_to_a_choice(form_id: str) -> None:
    definition = _compiled(form_id)
    linked = {c.term for f in definition.fields() for c in f.choices if c.term}
    assert len(linked) >= 3


@pytest.mark.parametrize("form_id", SHIPPED)
def test_every_mwc_code__is_a_violation_code_of_the_taxonomy(form_id: str) -> None:
    definition = _compiled(form_id)
    violation_codes = set(load_taxonomy().violation_codes())
    holders = [*definition.terms, *definition.fields()]
    holders += [c for f in definition.fields() for c in f.choices]
    for holder in holders:
        assert set(holder.mwc) <= violation_codes, f"{form_id}: {holder}"


# --- who: gender, sensitive and personal data --------------------------------------


@pytest.mark.parametrize("form_id", SHIPPED)
def test_gender__is_asked_apart_from_the_sex_on_documents(form_id: str) -> None:
    definition = _compiled(form_id)
    gender = [f for f in definition.fields() if f.dimension == "gender"]
    assert [f.id for f in gender] == ["gender"]
    assert {c.value for c in gender[0].choices} == set(load_dimensions().get("gender").values)
    sex = definition.field("sex_on_documents")
    assert sex.dimension is None
    assert {c.value for c in sex.choices} == {"female", "male", "x", "unknown"}


@pytest.mark.parametrize("form_id", SHIPPED)
def test_every_standard_dimension__is_filled_by_the_form(form_id: str) -> None:
    filled = {f.dimension for f in _compiled(form_id).fields() if f.dimension}
    assert filled == set(load_dimensions().ids())


def test_perpetrator_types__use_the_codes_as_written_in_the_domain_reference() -> None:
    field = _compiled("mwc-base").field("perpetrator_type")
    assert field.type == "multichoice"
    values = [c.value for c in field.choices]
    assert {"EMP_IND", "EMP_FAM", "EMP_CO", "AGENCY_DEST", "AGENCY_ORIG", "BROKER",
            "IMMIGRATION", "DETENTION", "LABOUR_OFF", "UNKNOWN"} <= set(values)
    assert all(v == v.upper() for v in values)


def test_base_form__requires_only_a_few_answers_and_never_a_surname() -> None:
    base = _compiled("mwc-base")
    required = {f.id for f in base.fields() if f.required}
    assert required == {"destination_country", "narrative", "consent_case_work"}
    assert base.field("full_name").type == "text"
    assert not base.field("family_name").required


@pytest.mark.parametrize(
    ("field_id", "personal"),
    [("full_name", "name"), ("given_name", "name"), ("family_name", "name"),
     ("phone", "contact"), ("email", "contact"), ("safe_contact", "contact"),
     ("passport_number", "document"), ("city_area", "location")],
)
def test_identifying_fields__are_personal_and_sensitive(field_id: str, personal: str) -> None:
    field = _compiled("mwc-base").field(field_id)
    assert field.personal == personal
    assert field.sensitive


@pytest.mark.parametrize(
    "field_id",
    ["sex_on_documents", "gender", "age_band", "immigration_status", "migration_channel",
     "sexual_violence", "sexual_violence_recent", "pregnancy_health", "counter_charges"],
)
def test_restricted_and_sensitive_items__are_marked_sensitive(field_id: str) -> None:
    assert _compiled("mwc-base").field(field_id).sensitive


def test_origin_forms__keep_a_departure_around_a_ban_sensitive() -> None:
    assert _compiled("ph-intake").field("left_during_ban").sensitive
    assert _compiled("id-intake").field("non_procedural_departure").sensitive
    assert _compiled("np-intake").field("left_around_ban").sensitive
    assert _compiled("mm-intake").field("left_outside_official_route").sensitive


@pytest.mark.parametrize("form_id", SHIPPED)
def test_occupation__never_offers_a_restricted_value_on_a_plain_field(form_id: str) -> None:
    field = _compiled(form_id).field("occupation")
    assert not field.sensitive
    assert "sex_work" not in {c.value for c in field.choices}


# --- consent, flags, caseworker gender ---------------------------------------------


@pytest.mark.parametrize("form_id", SHIPPED)
def test_consent__is_asked_once_per_purpose_on_boolean_fields(form_id: str) -> None:
    definition = _compiled(form_id)
    consent = {f.consent: f for f in definition.fields() if f.consent}
    assert set(consent) == set(CONSENT_PURPOSES)
    assert all(f.type == "boolean" for f in consent.values())
    assert consent["case_work"].required
    assert not any(consent[p].required for p in ("referral", "statistics", "advocacy"))
    answers = {"consent_case_work": True, "consent_statistics": True}
    assert derive_consent(definition, answers) == {
        "case_work": True, "referral": False, "statistics": True, "advocacy": False,
    }


@pytest.mark.parametrize(
    ("act", "flag", "articles"),
    [("detained", "detention", {16}), ("life_in_danger", "risk_to_life", set()),
     ("trafficking_signs", "trafficking", {11, 68}), ("under_18", "minor", set())],
)
def test_kinds_of_act__raise_routing_flags(act: str, flag: str, articles: set[int]) -> None:
    base = _compiled("mwc-base")
    answers = {"acts": [act]}
    flags = derive_flags(base, answers)
    assert flags[flag] and sum(flags.values()) == 1
    assert set(derive_mwc(base, answers)) == articles


def test_caseworker_gender__offers_same_gender_or_a_named_gender_or_none() -> None:
    field = _compiled("mwc-base").field("caseworker_gender")
    assert field.type == "choice"
    assert [c.value for c in field.choices] == ["same_gender", "woman", "man", "any"]


def test_mwc_field__is_there_for_caseworkers_and_optional() -> None:
    field = _compiled("mwc-base").field("mwc_codes")
    assert field.type == "mwc" and not field.required
    assert derive_mwc(_compiled("mwc-base"), {"mwc_codes": ["MWC-18", 54]}) == [18, 54]


# --- origin countries --------------------------------------------------------------


@pytest.mark.parametrize("form_id", ORIGIN_FORMS)
def test_origin_form__asks_where_the_person_worked_abroad(form_id: str) -> None:
    definition = _compiled(form_id)
    destination = definition.field("destination_country")
    assert destination.dimension == "destination_country"
    assert "abroad" in destination.label["en"]
    assert definition.field("person_location_now").type == "choice"


# --- the same facts give the same MWC articles -------------------------------------


def test_passport_kept_by_employer__gives_article_21_in_malaysia_and_singapore() -> None:
    my, sg = _compiled("my-intake"), _compiled("sg-intake")
    answers = {"passport_held_by": "employer"}
    assert derive_mwc(my, answers) == derive_mwc(sg, answers) == [21]
    # Malaysia names its passport-retention term; Singapore shows the security bond.
    assert chosen_terms(my, answers) == ["passport_retention"]
    assert "security_bond" in sg.field("passport_held_by").terms


def test_security_bond_used_to_keep_the_passport__includes_article_21() -> None:
    sg = _compiled("sg-intake")
    answers = {"passport_held_by": "employer", "sg_situation": ["bond_used_to_control"]}
    assert 21 in derive_mwc(sg, answers)
    assert chosen_terms(sg, answers) == ["security_bond"]


BASE_FACTS = [
    {"passport_held_by": "employer", "acts": ["unpaid_wages", "confined"]},
    {"acts": ["detained", "deported", "no_embassy"], "immigration_status": "undocumented"},
    {"acts": ["recruitment_fees", "deceived"], "rest_days": "none"},
    {"sexual_violence": True, "pregnancy_health": ["dismissed_pregnancy"]},
    {"counter_charges": ["theft", "absconding"], "acts": ["absconding_report"]},
]


@pytest.mark.parametrize("answers", BASE_FACTS)
@pytest.mark.parametrize("form_id", COUNTRY_FORMS)
def test_base_answers__give_the_same_articles_on_every_country_form(
    form_id: str, answers: dict[str, object]
) -> None:
    assert derive_mwc(_compiled(form_id), answers) == derive_mwc(_compiled("mwc-base"), answers)


def test_local_detention_choices__raise_the_detention_flag() -> None:
    assert derive_flags(_compiled("my-intake"), {"my_situation": ["held_in_depot"]})["detention"]
    assert derive_flags(_compiled("sa-intake"), {"sa_situation": ["held_for_deportation"]})[
        "detention"
    ]


# --- the taxonomy data -------------------------------------------------------------


def test_taxonomy__lists_the_agreed_articles_with_titles_in_every_language() -> None:
    taxonomy = load_taxonomy()
    expected = {1, 5, 7, *range(8, 57), 58, 59, 60, 61, 62, 63, 64, *range(65, 72), 83}
    assert set(taxonomy.numbers()) == expected
    for number in taxonomy.numbers():
        titles = taxonomy.article(number).title
        assert [lang for lang in ALL_LANGUAGES if not titles.get(lang)] == [], number


def test_taxonomy__marks_parts_documented_status_and_context_articles() -> None:
    taxonomy = load_taxonomy()
    assert {n for n in taxonomy.numbers() if not taxonomy.article(n).violation_code} == {
        1, 5, 34, 35, 36, 64,
    }
    assert all(taxonomy.article(n).documented_only for n in range(36, 57))
    assert not any(taxonomy.article(n).documented_only for n in range(8, 36))
    assert {taxonomy.article(n).part for n in (1, 5, 7, 83)} == {"cross"}
    assert taxonomy.article(21).part == "III" and taxonomy.article(52).part == "IV"
    assert taxonomy.article(59).part == "V" and taxonomy.article(66).part == "VI"


def test_dimensions__label_every_value_in_every_language() -> None:
    from importlib import resources

    text = resources.files("forms").joinpath("taxonomy", "dimensions.yaml").read_text(
        encoding="utf-8"
    )
    for dimension in load_yaml(text, "forms/taxonomy/dimensions.yaml")["dimensions"]:
        assert [lang for lang in ALL_LANGUAGES if not dimension["title"].get(lang)] == []
        for value in dimension.get("values") or []:
            labels = dimension["labels"][value]
            assert [lang for lang in ALL_LANGUAGES if not labels.get(lang)] == [], value


def test_dimensions__have_the_agreed_values() -> None:
    dimensions = load_dimensions()
    assert dimensions.get("age_band").values == (
        "under_15", "15-17", "18-19", "20-24", "25-29", "30-34", "35-39", "40-44",
        "45-49", "50-54", "55-59", "60+", "unknown",
    )
    assert dimensions.get("immigration_status").values == (
        "documented", "undocumented", "overstayed", "absconding_reported",
        "pending_claim_pass", "in_detention", "unknown",
    )
    assert dimensions.get("perpetrator_type").kind == "multichoice"
    assert {d.id: d.kind for d in dimensions if d.values is None} == {
        "nationality": "country", "destination_country": "country", "violation_date": "date",
    }
