"""Edit operations of the structured editor: each keeps the author's comments and layout,
changes only its item, writes inherited changes as override/remove, and refuses bad
input with every problem at once, leaving no text."""

from __future__ import annotations

import functools
from importlib import resources

import pytest

from forms import definition_edits as edits
from forms import yaml_layout
from forms.definition_edits import Definition, EditCode
from forms.loader import parse_definition

CHILD = """\
# A small country form.  The comments must survive every edit.
form: xx-intake
extends: mwc-base
country: MY
languages: [en, ms]   # English first

title: {en: "Report", ms: "Lapor"}

terms:
  - id: levy
    mwc: [25, 48]    # fees and deductions
    label: {en: "Levy", ms: "Levi"}
    help:
      en: "A yearly fee per worker."
      ms: "Bayaran tahunan."

sections:
  - id: what_happened
    fields:
      - id: xx_situation
        type: multichoice
        label: {en: "Did any of these happen?", ms: "Adakah ini berlaku?"}
        choices:
          - {value: levy_deducted, term: levy, label: {en: "Levy from wages", ms: "Levi dipotong"}}
          - {value: none, label: {en: "None of these", ms: "Tiada"}}

# Changes to the base questions.
override:
  nationality:
    label: {ms: "Warganegara"}
"""


@functools.cache
def base():
    text = resources.files("forms").joinpath("definitions", "mwc-base.yaml").read_text("utf-8")
    return parse_definition(text, "mwc-base.yaml")


def definition(text: str = CHILD) -> Definition:
    return Definition(text, "xx-intake.yaml", {"mwc-base": base()})


def compiles(text: str):
    result = definition(text).compile()
    assert result.ok, [p.message for p in result.problems]
    return result.unwrap()


def kept_lines(old: str, new: str) -> None:
    """Every line of the old text is still there, in the same order."""
    rest = iter(new.splitlines())
    for line in old.splitlines():
        assert any(candidate == line for candidate in rest), f"lost or moved: {line!r}"


def codes(result) -> list[str]:
    return [p.code.key for p in result.problems]


def test_add_term__appended_after_the_others_comments_kept():
    result = edits.add_term(definition(), "majikan", {"en": "Employer", "ms": "Majikan"},
                            {"en": "Who employs the worker", "ms": "Yang menggaji"}, [21, "MWC-25"])
    assert result.ok, result.problems
    kept_lines(CHILD, result.text)
    assert '  - id: majikan\n    mwc: [21, 25]\n    label: {en: "Employer", ms: "Majikan"}' \
        in result.text
    assert result.text.index("id: majikan") < result.text.index("\nsections:")
    form = compiles(result.text)
    assert form.term("majikan").mwc == (21, 25)
    assert form.term("majikan").help["ms"] == "Yang menggaji"


def test_add_term__every_problem_at_once_and_no_text():
    result = edits.add_term(definition(), "Levy Two", {"en": "Levy"}, {}, [1, 999])
    assert result.text is None
    assert sorted(codes(result)) == ["bad_id", "missing_text", "not_coded", "unknown_article"]
    missing = next(p for p in result.problems if p.code is EditCode.MISSING_TEXT)
    assert missing.input == "label-ms"


def test_add_term__existing_id_and_no_article_refused():
    result = edits.add_term(definition(), "levy", {"en": "L", "ms": "L"}, {}, [])
    assert sorted(codes(result)) == ["no_articles", "term_exists"]


def test_rename_term__only_that_language_changes():
    result = edits.rename_term(definition(), "levy", {"ms": "Levi pekerja"})
    assert result.ok
    assert result.text == CHILD.replace('ms: "Levi"}', 'ms: "Levi pekerja"}')


def test_map_term__list_replaced_in_place_with_its_comment():
    result = edits.map_term(definition(), "levy", ["MWC-25"])
    # ruamel keeps the comment in its column
    assert result.text == CHILD.replace("mwc: [25, 48]    #", "mwc: [25]        #")
    assert compiles(result.text).term("levy").mwc == (25,)


def test_change_term__unknown_term_refused():
    assert codes(edits.map_term(definition(), "nope", [21])) == ["no_term"]


def test_show_term__beside_an_inherited_question_through_override():
    result = edits.show_term(definition(), "passport_held_by", "levy")
    assert result.ok
    kept_lines(CHILD, result.text)
    assert "  passport_held_by:\n    terms: [levy]\n" in result.text
    assert compiles(result.text).field("passport_held_by").terms == ("levy",)
    again = edits.show_term(definition(result.text), "passport_held_by", "levy")
    assert codes(again) == ["term_shown"]


def test_add_choice__own_question_in_place_on_one_line():
    result = edits.add_choice(definition(), "xx_situation", "forced_overtime",
                              {"en": "Forced overtime", "ms": "Kerja lebih masa paksa"}, [25])
    assert result.ok
    kept_lines(CHILD, result.text)
    assert ('          - {value: forced_overtime, mwc: [25], label: {en: "Forced overtime", '
            'ms: "Kerja lebih masa paksa"}}\n') in result.text
    choices = compiles(result.text).field("xx_situation").choices
    assert [c.value for c in choices][-1] == "forced_overtime"


def test_add_choice__inherited_question_whole_list_in_override_in_form_languages():
    result = edits.add_choice(definition(), "passport_held_by", "friend",
                              {"en": "A friend", "ms": "Kawan"}, term="levy")
    assert result.ok
    kept_lines(CHILD, result.text)
    form = compiles(result.text)
    choices = form.field("passport_held_by").choices
    assert choices[-1].value == "friend" and choices[-1].term == "levy"
    assert all(set(c.label) == {"en", "ms"} for c in choices)
    assert "zh-Hans" not in result.text  # only the form's languages are written out


def test_add_choice__bad_input_all_reported():
    result = edits.add_choice(definition(), "xx_situation", "none", {"en": "x"}, [999],
                              term="nope")
    assert sorted(codes(result)) == ["missing_text", "no_term", "unknown_article",
                                     "value_exists"]
    assert codes(edits.add_choice(definition(), "live_in", "x", {"en": "x", "ms": "x"})) \
        == ["not_choices"]
    assert codes(edits.add_choice(definition(), "xx_situation", "two words",
                                  {"en": "x", "ms": "x"})) == ["bad_value"]


def test_add_choice__that_breaks_the_check_refused_with_the_check_problem():
    """The gender question takes only the gender dimension's values."""
    result = edits.add_choice(definition(), "gender", "friend", {"en": "x", "ms": "x"})
    assert result.text is None and result.problems == ()
    assert [p.code.key for p in result.introduced] == ["dimension_value"]


def test_change_label__own_question_in_place():
    result = edits.change_label(definition(), "xx_situation", "en", "Did this happen?")
    assert result.text == CHILD.replace("Did any of these happen?", "Did this happen?")


def test_change_label__existing_override_changed_in_place():
    result = edits.change_label(definition(), "nationality", "ms", "Kerakyatan")
    assert result.text == CHILD.replace('{ms: "Warganegara"}', '{ms: "Kerakyatan"}')


def test_change_label__inherited_section_and_question_through_override():
    result = edits.change_label(definition(), "person", "en", "About the person")
    result = edits.change_label(definition(result.text), "live_in", "ms", "Tinggal bersama")
    assert result.ok
    kept_lines(CHILD, result.text)
    form = compiles(result.text)
    assert form.sections[0].title["en"] == "About the person"
    assert form.field("live_in").label["ms"] == "Tinggal bersama"


def test_change_label__choice_own_and_inherited():
    own = edits.change_label(definition(), "xx_situation", "ms", "Tiada satu pun",
                             choice="none")
    assert own.text == CHILD.replace('ms: "Tiada"}', 'ms: "Tiada satu pun"}')
    inherited = edits.change_label(definition(), "occupation", "en", "Cleaning",
                                   choice="cleaning")
    form = compiles(inherited.text)
    assert form.field("occupation").choice("cleaning").label == {
        "en": "Cleaning", "ms": form.field("occupation").choice("cleaning").label["ms"]}


def test_change_label__unknown_things_refused():
    assert codes(edits.change_label(definition(), "nowhere", "en", "x")) == ["no_item"]
    assert codes(edits.change_label(definition(), "xx_situation", "fr", "x")) == \
        ["unknown_language"]
    assert codes(edits.change_label(definition(), "xx_situation", "en", "  ")) == \
        ["missing_text"]
    assert codes(edits.change_label(definition(), "occupation", "en", "x", choice="nope")) \
        == ["no_choice"]


def test_hide_question__written_under_remove():
    result = edits.hide_question(definition(), "employer_name")
    assert result.ok
    kept_lines(CHILD, result.text)
    assert result.text.endswith("\nremove: [employer_name]\n")
    form = compiles(result.text)
    assert "employer_name" not in {f.id for f in form.fields()}
    again = edits.hide_question(definition(result.text), "employer_name")
    assert codes(again) == ["already_hidden"]


@pytest.mark.parametrize("field_id, reason", [
    ("gender", "gender"), ("consent_case_work", "consent"), ("nationality", "dimension"),
    ("event_year", "event_period"),
])
def test_hide_question__what_must_stay_refused_with_the_reason(field_id, reason):
    result = edits.hide_question(definition(), field_id)
    assert codes(result) == ["must_keep"]
    assert result.problems[0].params["reason"] == reason
    assert "cannot be hidden" in result.problems[0].message


def test_hide_question__own_question_refused():
    assert codes(edits.hide_question(definition(), "xx_situation")) == ["own_question"]


def test_unreadable_text__refused_before_any_change():
    broken = CHILD + "colour: [blue\n"
    result = edits.rename_term(definition(broken), "levy", {"en": "L"})
    assert codes(result) == ["unreadable"] and result.text is None


def test_shipped_forms__unchanged_by_a_round_trip():
    """Reading and writing a form changes nothing, so an edit changes only its item."""
    folder = resources.files("forms").joinpath("definitions")
    for entry in folder.iterdir():
        if entry.name.endswith(".yaml"):
            text = entry.read_text("utf-8")
            assert yaml_layout.dump(*yaml_layout.round_trip(text)) == text, entry.name
