"""`audience: staff`: who is asked a question, the two views of a form, and the rules
that keep both views whole."""

from __future__ import annotations

from formspec import assert_problems, compile_snippet, form

from forms.audience import for_reporters, for_staff, has_staff_fields, staff_fields
from forms.errors import ProblemCode
from forms.format_schema import format_schema
from forms.store import shipped_definitions
from forms.wtf import build_form_class

TWO_SECTIONS = """\
form: t
title: {en: T}
languages: [en]
sections:
  - id: story
    title: {en: Story}
    fields:
      - {id: narrative, type: textarea, label: {en: What happened?}}
      - {id: articles, type: mwc, label: {en: Articles}, audience: staff}
  - id: assessment
    title: {en: Assessment}
    fields:
      - {id: credible, type: yesno, label: {en: Credible?}, audience: staff, required: true}
      - id: why
        type: textarea
        label: {en: Why not?}
        audience: staff
        sensitive: true
        show_if: {field: credible, equals: false}
"""


def _compiled(text: str = TWO_SECTIONS, parents: dict[str, str] | None = None):
    result = compile_snippet(text, parents=parents)
    assert result.ok, "\n".join(p.message for p in result.problems)
    return result.definition


def test_audience__default_everyone__not_written_and_hash_unchanged():
    plain = _compiled(form())
    written = _compiled(form("- {id: a, type: text, label: {en: A}, audience: everyone}"))
    assert written.definition_hash() == plain.definition_hash()
    assert "audience" not in written.to_dict()["sections"][0]["fields"][0]
    assert not has_staff_fields(plain) and for_reporters(plain) is plain


def test_audience__unknown_value__refused_naming_the_allowed_ones():
    result = assert_problems(form("- {id: a, type: text, label: {en: A}, audience: caseworkers}"),
                             ProblemCode.NOT_ONE_OF)
    assert "everyone, staff" in result.problems[0].message


def test_for_reporters__drops_staff_fields_and_sections_left_empty():
    definition = _compiled()
    reporters = for_reporters(definition)
    assert [f.id for f in reporters.fields()] == ["narrative"]
    assert [s.id for s in reporters.sections] == ["story"]
    assert [f.id for f in staff_fields(definition)] == ["articles", "credible", "why"]
    staff = for_staff(definition)
    assert [(s.id, [f.id for f in s.fields]) for s in staff.sections] == [
        ("story", ["articles"]), ("assessment", ["credible", "why"])]


def test_views__hashes_differ__so_cached_form_classes_differ():
    definition = _compiled()
    hashes = {definition.definition_hash(), for_reporters(definition).definition_hash(),
              for_staff(definition).definition_hash()}
    assert len(hashes) == 3
    reporters = build_form_class(for_reporters(definition), "en")
    assert build_form_class(definition, "en") is not reporters
    assert for_reporters(definition) is for_reporters(definition)  # worked out once
    assert build_form_class(for_reporters(definition), "en") is reporters


def test_staff_form__required_means_required_of_staff_only():
    definition = _compiled()
    reporters = build_form_class(for_reporters(definition), "en")(data={})
    assert reporters.validate()
    staff = build_form_class(for_staff(definition), "en")(data={})
    assert not staff.validate() and staff.by_id("credible").errors


def test_override__a_country_form_changes_who_is_asked():
    child = "form: c\nextends: t\noverride:\n  articles: {audience: everyone}\n"
    definition = _compiled(child, parents={"t.yaml": TWO_SECTIONS})
    assert not definition.field("articles").for_staff
    assert [f.id for f in staff_fields(definition)] == ["credible", "why"]
    back = "form: d\nextends: c\noverride:\n  articles: {audience: staff}\n"
    again = _compiled(back, parents={"t.yaml": TWO_SECTIONS, "c.yaml": child})
    assert again.field("articles").for_staff


def test_rules__every_breach_reported_at_once():
    text = form("""
        - {id: b, type: boolean, label: {en: B}, audience: staff}
        - {id: c, type: boolean, label: {en: C}}
        - {id: x, type: text, label: {en: X}, show_if: {field: b, equals: true}}
        - {id: y, type: text, label: {en: Y}, audience: staff, show_if: {field: c, equals: true}}
        - {id: z, type: boolean, label: {en: Z}, audience: staff, consent: referral}
    """)
    result = assert_problems(text, ProblemCode.STAFF_CONDITION,
                             ProblemCode.STAFF_DEPENDS_ON_REPORTER, ProblemCode.STAFF_CONSENT)
    lines = sorted(p.line for p in result.problems)
    assert lines == sorted(set(lines))  # each at its own line


def test_published_schema__documents_audience():
    field = format_schema()["$defs"]["field"]["properties"]["audience"]
    assert field["enum"] == ["everyone", "staff"]
    assert "staff" in field["description"]


def test_shipped_forms__mwc_articles_for_caseworkers_are_staff_only():
    for form_id, definition, _hash, _source, problems in shipped_definitions():
        assert definition is not None, (form_id, problems)
        assert definition.field("mwc_codes").for_staff, form_id
        assert "mwc_codes" not in {f.id for f in for_reporters(definition).fields()}
        assert not any(f.type == "mwc" for f in for_reporters(definition).fields())
