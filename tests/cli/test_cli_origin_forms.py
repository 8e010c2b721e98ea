"""The Nepal, Myanmar and Vietnam forms check clean with `mrvrs forms validate`, every
inherited text translated into their language, and `mrvrs db init` would publish them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import main

DEFINITIONS = Path(__file__).resolve().parents[2] / "forms" / "definitions"


@pytest.mark.parametrize(("form_id", "languages"), [
    ("np-intake", "ne, en"), ("mm-intake", "my, en"), ("vn-intake", "vi, en"),
])
def test_validate__origin_form_ok_in_its_languages(form_id, languages):
    result = CliRunner().invoke(main, ["forms", "validate", str(DEFINITIONS / f"{form_id}.yaml")])
    assert result.exit_code == 0, result.output
    assert f"{form_id}.yaml: ok, form {form_id}" in result.output
    assert f"languages {languages})" in result.output


def test_validate__a_language_the_base_lacks__own_texts_listed_inherited_ones_counted_once(
        tmp_path):
    path = tmp_path / "th-intake.yaml"
    path.write_text((DEFINITIONS / "vn-intake.yaml").read_text(encoding="utf-8").replace(
        "languages: [vi, en]", "languages: [vi, en, th]"), encoding="utf-8")
    result = CliRunner().invoke(main, ["forms", "validate", str(path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    own = [line for line in lines if "This text has no th translation" in line]
    assert own and all(line.startswith(str(path)) for line in own)  # a line each, in this file
    inherited = [line for line in lines if "texts this form inherits have no th" in line]
    assert len(inherited) == 1 and "mrvrs forms translations export --form vn-intake" in (
        inherited[0])
    assert not any("mwc-base" in line for line in lines)
