"""The README shows the deployment files the production-shape tests run, word for word."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_readme__quotes_the_tested_nginx_file_exactly():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    site = (ROOT / "deploy" / "nginx" / "mrvrs.conf").read_text(encoding="utf-8")
    assert f"```nginx\n{site}```\n" in readme, "README's nginx block differs from the file"


def test_readme__production_runs_behind_one_trusted_proxy():
    production = (ROOT / "README.md").read_text(encoding="utf-8").split("## Production")[1]
    assert "MRVRS_TRUSTED_PROXIES=1" in production.split("## Configuration")[0]
