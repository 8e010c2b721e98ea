"""What a new version changes in the questions: added, removed and retyped field ids."""

from __future__ import annotations

import yaml

from forms.schema import FormDefinition
from forms.version_changes import field_changes

SOURCE = """
form: zz-intake
country: MY
languages: [en]
title: {en: Test}
sections:
  - id: main
    title: {en: Main}
    fields:
      - {id: name, type: text, label: {en: Name}}
      - {id: age, type: integer, label: {en: Age}}
"""


def definition() -> FormDefinition:
    return FormDefinition.from_dict(yaml.safe_load(SOURCE))


def test_first_version__every_question_added():
    changes = field_changes(None, definition())
    assert changes.added == ("name", "age") and not changes.removed and not changes.retyped


def test_same_questions__no_change():
    assert not field_changes({"name": "text", "age": "integer"}, definition()).any


def test_added_removed_and_retyped__each_named():
    changes = field_changes({"name": "textarea", "gone": "date"}, definition())
    assert changes.added == ("age",) and changes.removed == ("gone",)
    assert changes.retyped == (("name", "textarea", "text"),)
