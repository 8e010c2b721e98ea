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


def test_validate__a_form_in_a_language_the_base_lacks_lists_every_missing_text(tmp_path):
    path = tmp_path / "th-intake.yaml"
    path.write_text((DEFINITIONS / "vn-intake.yaml").read_text(encoding="utf-8").replace(
        "languages: [vi, en]", "languages: [vi, en, th]"), encoding="utf-8")
    result = CliRunner().invoke(main, ["forms", "validate", str(path)])
    assert result.exit_code == 1
    missing = [line for line in result.output.splitlines() if "has no th translation" in line]
    assert len(missing) > 218  # the base form's 218 texts and the local ones, a line each
