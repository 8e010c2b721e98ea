"""A form language the app's own pages cannot be shown in is a warning, never a refusal."""

import pytest

from forms.interface_languages import has_interface
from tests.unit.forms.test_definition_edits import CHILD, definition


@pytest.mark.parametrize("tag", ["en", "ms", "zh-Hant", "ZH-hans", "tl", "fil", "ar", "ne-NP"])
def test_languages_with_a_catalogue(tag):
    assert has_interface(tag)


@pytest.mark.parametrize("tag", ["th", "km", "hi", "zh"])
def test_languages_without_a_catalogue(tag):
    assert not has_interface(tag)


def test_thai_form__one_warning_at_its_language_line():
    text = CHILD.replace("languages: [en, ms]", "languages: [en, ms, th]")
    result = definition(text).compile()
    [warning] = [w for w in result.warnings if w.code.key == "no_interface_language"]
    assert warning.params == {"language": "th"}
    assert warning.origin == "xx-intake.yaml" and warning.line == 5
    assert "navigation, buttons, error messages, receipt and status page in English" in \
        warning.detail
    assert all(p.code.key != "no_interface_language" for p in result.problems)


def test_languages_all_with_catalogues__no_warning():
    assert definition().compile().warnings == ()
