"""The direction of imports (DESIGN.md), checked by import-linter's contracts in pyproject.toml."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports())"


def test_import_contracts_hold():
    result = subprocess.run([sys.executable, "-c", LINT], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_package_importing_one_to_its_right__is_caught(tmp_path):
    """The contract really fails: a copy of the layers where config imports app."""
    for package in ("config", "forms", "workflows", "exports", "app"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "config" / "bad.py").write_text("import app\n")
    (tmp_path / "pyproject.toml").write_text(LAYERS)
    result = subprocess.run([sys.executable, "-c", LINT], cwd=tmp_path, capture_output=True,
                            text=True, env={"PYTHONPATH": str(tmp_path), "PATH": ""})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "config.bad -> app" in result.stdout


LAYERS = """
[tool.importlinter]
root_packages = ["config", "forms", "workflows", "exports", "app"]

[[tool.importlinter.contracts]]
name = "layers"
type = "layers"
layers = ["app", "exports", "workflows", "forms", "config"]
"""
