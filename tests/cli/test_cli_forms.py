"""`mrvrs forms validate | publish | approval | schema`."""

from __future__ import annotations

import json
import re
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path

import jsonschema
import pytest
from pymongo import MongoClient

from app.cli import main
from forms.loader import load_yaml
from tests.helpers import alias_bomb, base_environ

DEFINITIONS = Path(__file__).resolve().parents[2] / "forms" / "definitions"
BROKEN = """form: zz-broken
extends: mwc-base
country: MY
languages: [en]
title: {en: Broken}
sections:
  - id: extra
    title: {en: Extra}
    fields:
      - {id: q1, type: slider, label: {en: Q1}}
      - {id: q1, type: text, label: {en: Q2}, show_if: {field: nowhere, equals: true}}
"""
PROBLEM_LINE = re.compile(r"^(?P<file>\S+):(?P<line>\d+) (?P<path>\S+): (?P<sentence>.+)$")


@pytest.fixture
def write(tmp_path):
    def write(name: str, text: str) -> str:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write


def shipped(name: str) -> str:
    return (DEFINITIONS / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("command", [["forms"], ["forms", "validate"], ["forms", "publish"],
                                     ["forms", "approval"], ["forms", "schema"]])
def test_every_forms_command_has_help(runner, command):
    result = runner.invoke(main, [*command, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output


def test_validate__good_files_exit_zero(runner):
    files = [str(DEFINITIONS / "my-intake.yaml"), str(DEFINITIONS / "sa-intake.yaml")]
    result = runner.invoke(main, ["forms", "validate", *files])
    assert result.exit_code == 0, result.output
    assert "my-intake.yaml: ok, form my-intake" in result.output


def test_validate__every_problem_as_file_line_path_sentence(runner, write):
    path = write("broken.yaml", BROKEN)
    result = runner.invoke(main, ["forms", "validate", path])
    assert result.exit_code == 1
    lines = [PROBLEM_LINE.match(line) for line in result.stdout.splitlines()]
    assert all(lines), result.stdout
    found = {(m["line"], m["path"]) for m in lines}
    assert ("10", "sections[0].fields[0].type") in found
    assert ("11", "sections[0].fields[1].id") in found
    assert ("11", "sections[0].fields[1].show_if.field") in found
    assert {m["file"] for m in lines} == {path}


def test_validate__unused_term_is_a_warning_exit_zero(runner, write):
    path = write("my-intake.yaml", shipped("my-intake.yaml").replace("term: act_446, ", ""))
    result = runner.invoke(main, ["forms", "validate", path])
    assert result.exit_code == 0, result.output
    assert "ok, form my-intake" in result.stdout
    assert re.search(r"^warning: .*my-intake.yaml:\d+ terms\[6\]: No question uses the term "
                     r'"act_446"', result.stderr, re.M), result.stderr


def test_validate__extends_another_file_given(runner, write):
    parent = write("zz-parent.yaml", shipped("mwc-base.yaml").replace("form: mwc-base",
                                                                      "form: zz-parent"))
    child = write("zz-child.yaml", shipped("my-intake.yaml").replace(
        "extends: mwc-base", "extends: zz-parent").replace("form: my-intake", "form: zz-child"))
    assert runner.invoke(main, ["forms", "validate", child, parent]).exit_code == 0
    alone = runner.invoke(main, ["forms", "validate", child])
    assert alone.exit_code == 1 and 'extends "zz-parent"' in alone.output


def test_validate__malformed_yaml_and_missing_file(runner, write):
    result = runner.invoke(main, ["forms", "validate", write("bad.yaml", "form: [unclosed\n")])
    assert result.exit_code == 1 and "bad.yaml:" in result.output and "not valid YAML" in \
        result.output
    assert runner.invoke(main, ["forms", "validate", "/nonexistent.yaml"]).exit_code == 2


def _memory_cap() -> None:
    cap = 2 * 1024**3
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def test_validate__alias_bomb__refused_at_its_line_within_bounded_memory(write):
    """The 9-level bomb expands to 9**9 strings: under a 2 GB cap it once ended in a
    MemoryError; now the first alias is reported and nothing is expanded."""
    path = write("bomb.yaml", alias_bomb(9))
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", "from app.cli import main; main()", "forms", "validate", path],
        capture_output=True, text=True, timeout=300, preexec_fn=_memory_cap, check=False)
    took = time.perf_counter() - started
    assert result.returncode == 1, (result.stdout, result.stderr[-2000:], f"{took:.1f} s")
    assert result.stdout.startswith(f"{path}:3 a1[0]: Anchors and aliases"), result.stdout


def test_publish__prints_form_and_version(runner, write):
    text = shipped("my-intake.yaml").replace("rights in Malaysia\"", "rights in Malaysia now\"")
    result = runner.invoke(main, ["forms", "publish", write("my.yaml", text)],
                           env=base_environ())
    assert result.exit_code == 0, result.output
    assert "published my-intake version 2" in result.stdout


def test_publish__same_content_says_nothing_new(runner):
    result = runner.invoke(main, ["forms", "publish", str(DEFINITIONS / "my-intake.yaml")],
                           env=base_environ())
    assert result.exit_code == 0 and "nothing new was published" in result.stdout


def test_publish__type_change_refused_with_the_reason(runner, write):
    text = shipped("mwc-base.yaml").replace("      - id: languages_spoken\n        type: text",
                                            "      - id: languages_spoken\n        type: textarea")
    assert "type: textarea" in text
    result = runner.invoke(main, ["forms", "publish", write("base.yaml", text)],
                           env=base_environ())
    assert result.exit_code == 1
    assert 'The field "languages_spoken" was published as a text field' in result.output


def test_publish__invalid_file_refused_with_its_problems(runner, write):
    result = runner.invoke(main, ["forms", "publish", write("broken.yaml", BROKEN)],
                           env=base_environ())
    assert result.exit_code == 1 and "is not a field type" in result.output


def test_schema__valid_json_schema_that_accepts_the_base_form(runner):
    result = runner.invoke(main, ["forms", "schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    base = load_yaml(shipped("mwc-base.yaml"), "mwc-base.yaml")
    assert not list(validator.iter_errors(base))
    assert not list(validator.iter_errors({"form": "x", "sections": []}))
    assert list(validator.iter_errors({"form": "x", "colour": "blue"}))


@pytest.fixture
def server_env(mongo_uri):
    name = f"mrvrs_cli_forms_{uuid.uuid4().hex[:8]}"
    yield base_environ(MRVRS_MONGO_URI=mongo_uri, MRVRS_DB_NAME=name)
    client = MongoClient(mongo_uri)
    client.drop_database(name)
    client.close()


@pytest.mark.integration
def test_db_init_then_publish__versions_kept_in_the_database(runner, server_env, write):
    first = runner.invoke(main, ["db", "init"], env=server_env)
    assert first.exit_code == 0 and "published the shipped form my-intake version 1" in \
        first.output
    again = runner.invoke(main, ["db", "init"], env=server_env)
    assert "published the shipped form" not in again.output
    text = shipped("my-intake.yaml").replace("rights in Malaysia\"", "rights in Malaysia now\"")
    result = runner.invoke(main, ["forms", "publish", write("my.yaml", text)], env=server_env)
    assert "published my-intake version 2" in result.output
    kept = runner.invoke(main, ["db", "init"], env=server_env)
    assert "published the shipped form my-intake" not in kept.output


def test_publish__refused_where_a_second_approval_is_required(runner, write, monkeypatch):
    from forms.approvals import ApprovalStore

    monkeypatch.setattr(ApprovalStore, "required", lambda self, country: country == "MY")
    text = shipped("my-intake.yaml").replace("rights in Malaysia\"", "rights in Malaysia now\"")
    result = runner.invoke(main, ["forms", "publish", write("my.yaml", text)],
                           env=base_environ())
    assert result.exit_code == 1
    assert "forms of MY need a second editor's approval" in result.output
    assert "Submit for approval" in result.output and "published my-intake" not in result.output


def test_approval__lists_and_sets_the_rule(runner):
    shown = runner.invoke(main, ["forms", "approval"], env=base_environ())
    assert shown.exit_code == 0 and "required for: no country" in shown.output
    result = runner.invoke(main, ["forms", "approval", "my", "--required"], env=base_environ())
    assert result.exit_code == 0 and "required for: MY" in result.output


@pytest.mark.parametrize("args", [["MY"], ["--required"], ["Malaysia", "--required"]])
def test_approval__bad_arguments_refused(runner, args):
    result = runner.invoke(main, ["forms", "approval", *args], env=base_environ())
    assert result.exit_code == 2


@pytest.mark.integration
def test_approval_rule_kept__publish_refused_until_lifted(runner, server_env, write):
    assert runner.invoke(main, ["db", "init"], env=server_env).exit_code == 0
    assert runner.invoke(main, ["forms", "approval", "MY", "--required"],
                         env=server_env).exit_code == 0
    text = shipped("my-intake.yaml").replace("rights in Malaysia\"", "rights in Malaysia now\"")
    path = write("my.yaml", text)
    refused = runner.invoke(main, ["forms", "publish", path], env=server_env)
    assert refused.exit_code == 1 and "second editor's approval" in refused.output
    runner.invoke(main, ["forms", "approval", "MY", "--not-required"], env=server_env)
    published = runner.invoke(main, ["forms", "publish", path], env=server_env)
    assert "published my-intake version 2" in published.output


def test_publish__refused_by_the_go_live_check(runner, write, monkeypatch):
    from app.forms_admin import going_live

    monkeypatch.setattr(going_live, "go_live_refusals", lambda svc, d: ["Not today."])
    text = shipped("my-intake.yaml").replace("rights in Malaysia\"", "rights in Malaysia now\"")
    path = write("my.yaml", text)
    result = runner.invoke(main, ["forms", "publish", path], env=base_environ())
    assert result.exit_code == 1 and f"{path}: Not today." in result.output
    assert "published my-intake" not in result.output
