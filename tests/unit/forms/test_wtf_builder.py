"""The WTForms class built from a definition: one field per type, the definition's
checks and nothing else, show_if, hard caps, translations, JSON answers, metadata."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from forms import answer_rules as rules
from forms.compiler import compile_form
from forms.schema import FormDefinition
from forms.shipped import shipped_sources
from forms.vocabulary import FIELD_TYPES
from forms.wtf import FIELD_FACTORIES, build_form_class

SPEC = """
form: test-form
country: MY
languages: [en, ms, ar]
title: {en: Test form, ms: Borang ujian, ar: نموذج اختبار}
terms:
  - {id: pati, label: {en: PATI, ms: PATI},
     help: {en: Undocumented migrant, ms: Pendatang tanpa izin}}
sections:
  - id: main
    title: {en: Main, ms: Utama}
    fields:
      - {id: name, type: text, required: true, max: 20, label: {en: Name, ms: Nama},
         help: {en: Any name you use, ms: Sebarang nama}}
      - {id: code, type: text, pattern: "[A-Z]{3}", label: {en: Code}}
      - {id: story, type: textarea, label: {en: Story}}
      - {id: age, type: integer, min: 15, max: 99, label: {en: Age}}
      - {id: wage, type: decimal, min: 0, label: {en: Wage}}
      - {id: when, type: date, min: "2000-01-01", max: "2030-12-31", label: {en: When}}
      - {id: taken, type: boolean, label: {en: "Was the passport taken?", ms: "Pasport diambil?"}}
      - id: holder
        type: choice
        required: true
        terms: [pati]
        show_if: {field: taken, equals: true}
        label: {en: "Who holds it?"}
        choices:
          - {value: employer, label: {en: The employer, ms: Majikan}}
          - {value: agent, label: {en: The agent, ms: Ejen}}
      - id: acts
        type: multichoice
        max: 2
        label: {en: What happened}
        choices:
          - {value: unpaid, label: {en: Unpaid}}
          - {value: beaten, label: {en: Beaten}}
          - {value: locked, label: {en: Locked in}}
      - {id: nationality, type: country, label: {en: Nationality}}
      - {id: email, type: email, label: {en: Email}}
      - {id: phone, type: phone, label: {en: Phone}}
      - {id: evidence, type: file, max: 2, label: {en: Evidence}}
      - {id: articles, type: mwc, label: {en: Articles}}
      - {id: data, type: text, label: {en: A field named like a form attribute}}
      - {id: consent, type: boolean, required: true, label: {en: I agree}}
"""
DEFINITION = FormDefinition.from_dict(yaml.safe_load(SPEC))
GOOD = {"name": ["Siti"], "code": ["ABC"], "story": ["  It happened.  "], "age": ["25"],
        "wage": ["1250.50"], "when": ["2026-03-14"], "acts": ["unpaid", "beaten"],
        "nationality": ["ID"], "email": ["siti@example.org"], "phone": ["+60 12-345 6789"],
        "articles": ["MWC-21"], "data": ["x"], "consent": ["y"]}


class Upload:
    """What a web framework hands over for an uploaded file."""

    def __init__(self, filename: str) -> None:
        self.filename = filename


class FormData(dict):
    def getlist(self, key):
        return list(self.get(key, []))


def built(lang: str = "en", data: dict | None = None, translations=None, **changes):
    form_class = build_form_class(DEFINITION, lang)
    posted = FormData({**GOOD, **changes} if data is None else data)
    meta = {"translations": translations} if translations else None
    return form_class(posted, meta=meta)


def test_every_field_type__has_a_factory():
    assert set(FIELD_FACTORIES) == set(FIELD_TYPES)


def test_unknown_type__fails_when_built_with_its_name():
    data = yaml.safe_load(SPEC)
    data["form"] = "odd-form"
    data["sections"][0]["fields"].append({"id": "slide", "type": "slider", "label": {"en": "S"}})
    with pytest.raises(ValueError, match="slider"):
        build_form_class(FormDefinition.from_dict(data), "en")


def test_class__cached_by_hash_and_language():
    same_content = FormDefinition.from_dict(yaml.safe_load(SPEC))
    assert build_form_class(DEFINITION, "en") is build_form_class(same_content, "en")
    assert build_form_class(DEFINITION, "ms") is not build_form_class(DEFINITION, "en")


def test_valid_post__answers_are_plain_json():
    form = built()
    assert form.validate(), form.errors
    answers = form.answers()
    assert answers == {
        "name": "Siti", "code": "ABC", "story": "It happened.", "age": 25, "wage": "1250.50",
        "when": "2026-03-14", "taken": False, "acts": ["unpaid", "beaten"],
        "nationality": "ID", "email": "siti@example.org", "phone": "+60 12-345 6789",
        "articles": ["MWC-21"], "data": "x", "consent": True,
    }
    json.dumps(answers)


def test_show_if__hidden_required_field_passes_and_its_value_is_dropped():
    form = built(holder=["employer"])  # "taken" is not ticked, so "holder" is hidden
    assert form.validate(), form.errors
    assert "holder" not in form.answers()


def test_show_if__shown_required_field_needs_an_answer():
    form = built(taken=["y"])
    assert not form.validate()
    assert form.errors == {"holder": [rules.REQUIRED]}
    form = built(taken=["y"], holder=["agent"])
    assert form.validate() and form.answers()["holder"] == "agent"


def test_required__empty_text_and_unticked_box_refused():
    form = built(name=[""], consent=[])
    assert not form.validate()
    assert form.errors == {"name": [rules.REQUIRED], "consent": [rules.REQUIRED_BOX]}


@pytest.mark.parametrize(("field", "value", "message"), [
    ("age", "twelve", rules.NOT_INTEGER),
    ("age", "12", "The number must be 15 or more."),
    ("age", "100", "The number must be 99 or less."),
    ("wage", "1e5", rules.NOT_DECIMAL),
    ("wage", "NaN", rules.NOT_DECIMAL),
    ("wage", "-1", "The number must be 0 or more."),
    ("when", "14/03/2026", rules.NOT_DATE),
    ("when", "2026-02-30", rules.NOT_DATE),
    ("when", "1999-12-31", "The date must be on or after 2000-01-01."),
    ("code", "ABCD", rules.NO_MATCH),
    ("email", "not an address", rules.NOT_EMAIL),
    ("phone", "call me", rules.NOT_PHONE),
    ("nationality", "XX", rules.NOT_A_CHOICE),
    ("articles", "MWC-999", rules.NOT_CHOICES),
    ("name", "x" * 21, "This answer is too long: it may have at most 20 characters, "
                       "and it has 21."),
])
def test_wrong_answer__refused_with_a_clear_sentence(field, value, message):
    form = built(**{field: [value]})
    assert not form.validate()
    assert form.errors == {field: [message]}


def test_choices__value_outside_refused():
    form = built(taken=["y"], holder=["boss"], acts=["unpaid", "stolen"])
    assert not form.validate()
    assert form.errors == {"holder": [rules.NOT_A_CHOICE], "acts": [rules.NOT_CHOICES]}


def test_multichoice__count_above_max_refused():
    form = built(acts=["unpaid", "beaten", "locked"])
    assert not form.validate() and form.errors == {"acts": ["Choose at most 2 options."]}
    repeated = built(acts=["unpaid"] * 10_000)
    assert not repeated.validate() and repeated.errors == {"acts": ["Choose at most 3 options."]}


def test_hard_cap__ten_megabytes_refused_even_without_a_max():
    form = built(story=["x" * 10_000_000])
    assert not form.validate()
    assert form.errors["story"] == [
        f"This answer is too long: it may have at most {rules.MAX_TEXTAREA_CHARS} characters, "
        "and it has 10000000."]
    assert rules.MAX_LINE_CHARS < rules.MAX_TEXTAREA_CHARS < 100_000


def test_integer__digits_of_other_scripts_accepted():
    assert built(age=["٢٥"]).validate() and built(age=["২৫"]).answers()["age"] == 25


def test_html_payload__kept_as_plain_text():
    payload = '<script>alert("x")</script>'
    form = built(story=[payload])
    assert form.validate() and form.answers()["story"] == payload


def test_files__listed_apart_counted_and_empty_parts_ignored():
    form = built(evidence=[Upload("a.pdf"), Upload("")])
    assert form.validate()
    assert [f.filename for f in form.files()["evidence"]] == ["a.pdf"]
    assert "evidence" not in form.answers()
    too_many = built(evidence=[Upload("a.pdf"), Upload("b.pdf"), Upload("c.pdf")])
    assert not too_many.validate()
    assert too_many.errors == {"evidence": ["Attach at most 2 files."]}


def test_errors__in_the_language_of_the_translations_given():
    class Malay:
        CATALOGUE = {rules.REQUIRED: "Soalan ini perlu dijawab.",
                     rules.TOO_LONG: "Terlalu panjang: paling banyak %(max)s aksara, "
                                     "ada %(length)s."}

        def gettext(self, message):
            return self.CATALOGUE.get(message, message)

        def ngettext(self, singular, plural, n):
            return singular if n == 1 else plural

    form = built("ms", translations=Malay(), name=["x" * 21], taken=["y"])
    assert not form.validate()
    assert form.errors["holder"] == ["Soalan ini perlu dijawab."]
    assert form.errors["name"] == ["Terlalu panjang: paling banyak 20 aksara, ada 21."]


def test_labels_choices_countries_and_articles__in_the_form_language():
    form = built("ms")
    assert form.by_id("name").label.text == "Nama"
    assert form.by_id("code").label.text == "Code"  # no Malay text: the default language
    assert [c.label for c in form.by_id("holder").iter_choices()] == ["Majikan", "Ejen"]
    arabic = built("ar")
    countries = dict((c.value, c.label) for c in arabic.by_id("nationality").iter_choices())
    assert countries["MY"] == "ماليزيا" and "EU" not in countries and "ZZ" not in countries
    articles = [c.label for c in arabic.by_id("articles").iter_choices()]
    assert any(label.endswith("(MWC-21)") for label in articles)


def test_field_named_like_a_form_attribute__keeps_its_name():
    form = built()
    assert form.by_id("data").name == "data" and isinstance(form.data, dict)
    assert form.validate() and form.answers()["data"] == "x"


def test_from_json__wrong_types_and_unknown_keys_refused():
    form_class = build_form_class(DEFINITION, "en")
    answers = {"name": {"$gt": ""}, "consent": "yes", "acts": "unpaid", "age": True,
               "salary": "100"}
    form = form_class.from_json(answers)
    assert not form.validate()
    assert {k: v for k, v in form.errors.items() if k} == {
        "name": [rules.NOT_TEXT], "consent": [rules.NOT_YES_NO], "acts": [rules.NOT_LIST],
        "age": [rules.NOT_INTEGER],
    }
    assert form.form_errors == ["salary is not a question of this form."]


def test_from_json__valid_answers_give_the_same_answers_as_a_post():
    form_class = build_form_class(DEFINITION, "en")
    form = form_class.from_json({"name": "Siti", "consent": True, "age": 25, "wage": 12.5,
                                 "articles": [21], "taken": False, "holder": "boss"})
    assert form.validate(), form.errors
    assert form.answers() == {"name": "Siti", "consent": True, "age": 25, "wage": "12.5",
                              "articles": ["MWC-21"], "taken": False}


def test_sections__carry_help_terms_and_show_if_as_data():
    form = build_form_class(DEFINITION, "ms")(prefix="p")
    [section] = form.sections()
    views = {view.text.id: view for view in section.fields}
    assert views["name"].text.help == "Sebarang nama"
    assert [(t.label, t.meaning) for t in views["holder"].text.terms] == [
        ("PATI", "Pendatang tanpa izin")]
    assert views["holder"].attributes == {"data-show-if-field": "p-taken",
                                          "data-show-if-values": '["true"]'}
    assert views["name"].attributes == {}
    assert form.texts.title == "Borang ujian" and form.texts.direction == "ltr"
    assert build_form_class(DEFINITION, "ar").texts.direction == "rtl"


def test_kinds__each_renders_inputs_with_labels():
    """Without any template: every option input has a label pointing at it."""
    form = built()
    for section in form.sections():
        for view in section.fields:
            field = view.field
            if view.text.kind in ("radios", "checkboxes"):
                for option in field:
                    input_id = re.search(r'id="([^"]+)"', str(option())).group(1)
                    assert f'for="{input_id}"' in str(option.label())
            else:
                assert f'id="{field.id}"' in str(field())
                assert f'for="{field.id}"' in str(field.label())


@pytest.mark.parametrize("form_id", sorted(shipped_sources()))
def test_shipped_forms__build_in_every_language(form_id):
    definition = compile_form(form_id, shipped_sources()).unwrap()
    for lang in definition.languages:
        form = build_form_class(definition, lang)()
        assert len(form.sections()) == len(definition.sections)
