"""extends, override and remove across a chain of forms."""

from __future__ import annotations

from formspec import assert_problems, compile_snippet

from forms.errors import ProblemCode
from forms.inheritance import resolve
from forms.loader import parse_definition

BASE = """\
form: mwc-base
title: {en: Report a violation, ms: Laporkan pelanggaran}
languages: [en, ms]
terms:
  - {id: levy, label: {en: Levy, ms: Levi}, mwc: [25]}
sections:
  - id: person
    title: {en: About you, ms: Tentang anda}
    fields:
      - id: gender
        type: choice
        label: {en: Gender, ms: Jantina}
        dimension: gender
        choices:
          - {value: woman, label: {en: Woman, ms: Wanita}}
          - {value: man, label: {en: Man, ms: Lelaki}}
      - id: nationality
        type: country
        label: {en: Nationality, ms: Kewarganegaraan}
        dimension: nationality
      - id: union_membership
        type: boolean
        label: {en: "Union member?", ms: "Ahli kesatuan?"}
  - id: documents
    title: {en: Documents, ms: Dokumen}
    fields:
      - id: passport_held_by
        type: choice
        label: {en: "Who holds the passport?", ms: "Siapa memegang pasport?"}
        choices:
          - {value: worker, label: {en: The worker, ms: Pekerja}}
          - {value: employer, label: {en: The employer, ms: Majikan}, mwc: [21]}
"""

COUNTRY = """\
form: my-intake
extends: mwc-base
country: MY
title: {en: Report a violation in Malaysia, ms: Laporkan pelanggaran di Malaysia}
terms:
  - {id: pati, label: {en: PATI, ms: Pendatang Asing Tanpa Izin}, mwc: [16, 22]}
sections:
  - id: documents
    fields:
      - id: plks_expired
        type: boolean
        label: {en: "Has the PLKS expired?", ms: "Adakah PLKS tamat tempoh?"}
remove: [union_membership]
override:
  nationality: {label: {ms: Warganegara}, required: true}
"""

LOCAL = """\
form: my-sabah
extends: my-intake
languages: [en, ms, id]
title: {en: Sabah, ms: Sabah, id: Sabah}
sections:
  - id: estate
    title: {en: Estate, ms: Ladang, id: Perkebunan}
    fields:
      - {id: estate_name, type: text, label: {en: Estate, ms: Ladang, id: Perkebunan}}
remove: [plks_expired]
override:
  documents: {title: {en: Papers}}
  passport_held_by: {required: true}
"""

PARENTS = {"base.yaml": BASE, "my.yaml": COUNTRY}


def test_depth_two__remove_and_override__merge_into_the_parent() -> None:
    definition = assert_problems(COUNTRY, parents={"base.yaml": BASE}).definition
    assert definition is not None
    ids = [f.id for f in definition.fields()]
    assert ids == ["gender", "nationality", "passport_held_by", "plks_expired"]
    nationality = definition.field("nationality")
    assert nationality.required
    assert nationality.label == {"en": "Nationality", "ms": "Warganegara"}
    assert [t.id for t in definition.terms] == ["levy", "pati"]
    assert (definition.id, definition.extends, definition.country) == (
        "my-intake", "mwc-base", "MY",
    )


def test_depth_three__inherited_missing_translations__one_problem_with_the_count() -> None:
    """Texts the child wrote are reported where they are; the texts it inherits from
    files it cannot edit are counted in one problem at its languages, naming the fix."""
    result = compile_snippet(LOCAL, parents=PARENTS, origin="sabah.yaml")
    own = [p for p in result.problems if p.code is ProblemCode.MISSING_TRANSLATION]
    assert own and {p.origin for p in own} == {"sabah.yaml"}
    assert all(p.params["missing"] == "id" for p in own)
    assert ("sabah.yaml", ("override", "documents", "title")) in {(p.origin, p.path) for p in own}
    inherited = [p for p in result.problems
                 if p.code is ProblemCode.MISSING_INHERITED_TRANSLATIONS]
    assert len(inherited) == 1
    problem = inherited[0]
    assert (problem.origin, problem.path) == ("sabah.yaml", ("languages", 2))
    assert problem.params["language"] == "id" and problem.params["count"] > 3
    assert "translations export --form" in problem.message and "--lang id" in problem.message


def test_depth_three__override_and_remove__give_the_expected_form() -> None:
    text = LOCAL.replace("languages: [en, ms, id]", "languages: [en, ms]")
    text = text.replace(", id: Sabah", "")
    result = assert_problems(text, parents=PARENTS)
    definition = result.definition
    assert definition is not None
    assert [s.id for s in definition.sections] == ["person", "documents", "estate"]
    assert [f.id for f in definition.fields()] == [
        "gender", "nationality", "passport_held_by", "estate_name",
    ]
    assert definition.sections[1].title == {"en": "Papers", "ms": "Dokumen"}
    assert definition.field("passport_held_by").required
    assert definition.field("nationality").label["ms"] == "Warganegara"  # from the middle form
    assert definition.country == "MY" and definition.languages == ("en", "ms")


def test_child_problem__in_an_override__points_at_the_child_line() -> None:
    child = COUNTRY.replace("required: true}", "required: maybe}")
    result = assert_problems(child, ProblemCode.WRONG_VALUE, parents={"base.yaml": BASE})
    problem = result.problems[0]
    assert problem.origin == "form.yaml"
    assert problem.path == ("override", "nationality", "required")
    assert problem.line == 15


def test_parent_problem__inherited_item__points_at_the_parent_file() -> None:
    base = BASE.replace("type: country", "type: nation")
    result = assert_problems(COUNTRY, ProblemCode.UNKNOWN_TYPE, parents={"base.yaml": base})
    problem = result.problems[0]
    assert (problem.origin, problem.line) == ("base.yaml", 18)
    assert problem.path == ("sections", 0, "fields", 1, "type")


def test_child_section__same_id__appends_fields_and_duplicates_are_reported() -> None:
    child = COUNTRY.replace("id: plks_expired", "id: passport_held_by")
    result = assert_problems(child, ProblemCode.DUPLICATE_ID, parents={"base.yaml": BASE})
    problem = result.problems[0]
    assert (problem.origin, problem.line) == ("form.yaml", 10)
    assert "base.yaml" in problem.params["first"]


def test_removed_field__still_named_by_show_if__is_reported_in_the_parent() -> None:
    base = BASE.replace(
        "        label: {en: \"Who holds the passport?\"",
        "        show_if: {field: union_membership, equals: true}\n"
        "        label: {en: \"Who holds the passport?\"",
    )
    result = assert_problems(COUNTRY, ProblemCode.SHOW_IF_MISSING_FIELD,
                             parents={"base.yaml": base})
    assert result.problems[0].origin == "base.yaml"


def test_child__terms_with_same_id__replace_the_parent_term() -> None:
    child = COUNTRY.replace("id: pati, label: {en: PATI", "id: levy, label: {en: LEVY")
    definition = assert_problems(child, parents={"base.yaml": BASE}).definition
    assert definition is not None
    assert [(t.id, t.label["en"], t.mwc) for t in definition.terms] == [("levy", "LEVY", (16, 22))]


def test_country_child__without_gender__reports_gender_missing() -> None:
    child = COUNTRY.replace("remove: [union_membership]", "remove: [union_membership, gender]")
    assert_problems(child, ProblemCode.GENDER_MISSING, parents={"base.yaml": BASE})


def test_extends_cycle__of_three__names_the_circle() -> None:
    result = assert_problems(
        "form: a\nextends: b\n", ProblemCode.EXTENDS_CYCLE,
        parents={"b.yaml": "form: b\nextends: c\n", "c.yaml": "form: c\nextends: a\n"},
    )
    assert result.problems[0].params["cycle"] == "a → b → c → a"


def test_missing_parent__close_id__suggests_it() -> None:
    result = assert_problems(
        COUNTRY.replace("extends: mwc-base", "extends: mwc-bse"), ProblemCode.MISSING_PARENT,
        parents={"base.yaml": BASE},
    )
    assert result.problems[0].line == 2 and "mwc-base" in result.problems[0].message


def test_resolve__leaves_the_sources_untouched() -> None:
    sources = {
        "mwc-base": parse_definition(BASE, "base.yaml"),
        "my-intake": parse_definition(COUNTRY, "my.yaml"),
    }
    before = repr(sources["mwc-base"].data)
    merged, problems = resolve("my-intake", sources)
    assert merged is not None and not problems
    assert repr(sources["mwc-base"].data) == before
    assert "override" not in merged and "remove" not in merged


def test_base_form__with_gender__compiles_as_country_form() -> None:
    assert_problems(BASE.replace("languages", "country: SG\nlanguages"))
