"""A term no question uses is a warning: reported apart from problems, located where the
term is written, and the form still compiles (and so can be published)."""

from __future__ import annotations

from tests.unit.forms.test_definition_edits import CHILD, definition


def test_unused_term__warning_not_problem():
    text = CHILD.replace("term: levy, ", "")
    result = definition(text).compile()
    assert result.ok and result.problems == ()
    [warning] = result.warnings
    assert warning.code.key == "unused_term" and warning.params["term"] == "levy"
    assert warning.origin == "xx-intake.yaml" and warning.line == 10


def test_term_shown_beside_a_question__no_warning():
    text = CHILD.replace("term: levy, ", "").replace(
        "        type: multichoice\n", "        type: multichoice\n        terms: [levy]\n")
    assert definition(text).compile().warnings == ()


def test_term_linked_from_a_choice__no_warning():
    assert definition().compile().warnings == ()
