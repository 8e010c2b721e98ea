"""`mrvrs export --format huridocs-json|huridocs-csv` at every redaction level: the five
tables join on their record numbers, nothing personal leaves a pseudonymised or
aggregate file, private employers are named only in full files, and every file
carries the caution and says who was left out."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from click.testing import CliRunner

from app.cli import main
from exports.huridocs import CAUTION, TABLE_NAMES, tables
from forms.mwc import load_taxonomy
from tests import export_cases, registry_links
from tests.export_cases import planted
from tests.registry_links import AGENCY, COMPANY, HOUSEHOLD, SMALL
from workflows.case_facts import event_period

COUNT = 30
COUNTABLE = set(load_taxonomy().violation_codes())
LEVELS = ("full", "pseudonymised", "aggregate")
FORMATS = ("huridocs-json", "huridocs-csv")


def with_event_periods(cases):
    for i, case in enumerate(cases):
        if i % 4 == 0:
            case["event"] = event_period({"event_year": 2024, "event_month": 1 + i % 12})
    return cases


@pytest.fixture
def dataset(app, svc, monkeypatch):
    from app import cli as cli_module

    monkeypatch.setattr(cli_module, "_build_app", lambda: app)
    registry_links.store_entities(svc)
    cases = with_event_periods(registry_links.link(export_cases.generate(COUNT, seed=5)))
    return export_cases.store(svc, cases)


def export(tmp_path, fmt, level, *args):
    out = tmp_path / f"doc-{level}.{fmt}"
    result = CliRunner().invoke(main, ["export", "--format", fmt, "--redaction", level,
                                       "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    return out.read_bytes(), result.output


def read(blob: bytes, fmt: str, level: str) -> tuple[dict, dict[str, list[dict]]]:
    """The metadata and the five lists, keyed alike whatever the format."""
    if fmt == "huridocs-json":
        document = json.loads(blob)
        assert list(document) == ["metadata", *TABLE_NAMES]
        return document["metadata"], {name: document[name] for name in TABLE_NAMES}
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        assert sorted(archive.namelist()) == sorted(
            [f"{n}.csv" for n in TABLE_NAMES] + ["README.txt", "notes.txt"])
        lists = {}
        for table in tables(level):
            keys = dict(zip(table.labels, table.keys, strict=True))
            text = archive.read(f"{table.name}.csv").decode("utf-8")
            lists[table.name] = [{keys[label]: value or None for label, value in row.items()}
                                 for row in csv.DictReader(io.StringIO(text))]
        return {"readme": archive.read("README.txt").decode("utf-8"),
                "notes": archive.read("notes.txt").decode("utf-8")}, lists


def caution_of(meta: dict) -> bool:
    return CAUTION in (meta.get("caution") or meta.get("readme") or "")


def assert_joins(lists: dict[str, list[dict]]) -> None:
    ids = {"events": {r["event_id"] for r in lists["events"]},
           "acts": {r["act_id"] for r in lists["acts"]},
           "victims": {r["victim_id"] for r in lists["victims"]},
           "perpetrators": {r["perpetrator_id"] for r in lists["perpetrators"]}}
    for name, key in (("events", "event_id"), ("acts", "act_id"), ("victims", "victim_id"),
                      ("perpetrators", "perpetrator_id")):
        assert len(ids[name]) == len(lists[name]), f"{name}: a record number twice"
    for act in lists["acts"]:
        assert act["event_id"] in ids["events"] and act["victim_id"] in ids["victims"]
    for victim in lists["victims"]:
        assert victim["event_id"] in ids["events"]
    related = set()
    for relation in lists["relations"]:
        assert relation["from_id"] in ids[relation["from_table"]]
        assert relation["to_id"] in ids[relation["to_table"]]
        related.add(relation["to_id"])
    if lists["events"]:  # an aggregate file relates nothing: it has no case
        assert ids["perpetrators"] <= related  # every perpetrator did an act
    assert ids["acts"] <= related and ids["victims"] <= related


def identifying(i: int) -> list[str]:
    values = planted(i)
    return [values["full_name"], values["passport_number"], values["email"],
            values["city_area"], values["phone"], *values["full_name"].split()]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("level", LEVELS)
def test_every_level_and_format__caution_metadata_and_ids_that_join(tmp_path, dataset, fmt,
                                                                  level):
    blob, output = export(tmp_path, fmt, level)
    meta, lists = read(blob, fmt, level)
    assert caution_of(meta)
    counted = export_cases.statistics_cases(dataset)
    assert_joins(lists)
    if level == "aggregate":
        assert not any(lists[n] for n in ("events", "acts", "victims", "relations"))
        return
    assert len(lists["events"]) == len(counted) == len(lists["victims"])
    expected_acts = sum(max(1, len({n for n in c["mwc"] if n in COUNTABLE})) for c in counted)
    assert len(lists["acts"]) == expected_acts
    if fmt == "huridocs-json":
        assert meta["redaction"] == level and meta["consent"]["included"] == len(counted)
        assert meta["rows"]["events"] == len(counted)
        declined = sum(1 for c in export_cases.counted_cases(dataset)
                       if c["consent"].get("statistics") is not True)
        assert meta["consent"]["declined"] + meta["consent"]["not_recorded"] == declined
    else:
        assert f"Redaction: {level}" in meta["readme"]
    assert f"events {len(counted)}" in output


@pytest.mark.parametrize("fmt", FORMATS)
def test_pseudonymised__nothing_personal_and_no_private_employer(tmp_path, dataset, fmt):
    blob, _ = export(tmp_path, fmt, "pseudonymised")
    text = blob.decode("utf-8") if fmt == "huridocs-json" else b"".join(
        zipfile.ZipFile(io.BytesIO(blob)).read(n)
        for n in zipfile.ZipFile(io.BytesIO(blob)).namelist()).decode("utf-8")
    for i in range(COUNT):
        for value in identifying(i):
            assert value not in text, value
    for case in dataset:
        assert case["reference"] not in text and case["_id"] not in text
    assert HOUSEHOLD["name"] not in text and HOUSEHOLD["_id"] not in text
    _, lists = read(blob, fmt, "pseudonymised")
    rows = {r["name"]: r for r in lists["perpetrators"] if r["source"] == "registry"}
    assert set(rows) == {AGENCY["name"], COMPANY["name"], SMALL["name"], None}
    assert rows[None]["kind"] == "employer" and rows[None]["entity_id"] is None
    assert rows[AGENCY["name"]]["entity_id"] == AGENCY["_id"]
    assert {r["event_id"] for r in lists["events"]} == {r["event_id"] for r in lists["victims"]}


def test_full_json__victims_and_every_linked_entity_named(tmp_path, dataset):
    blob, _ = export(tmp_path, "huridocs-json", "full")
    _, lists = read(blob, "huridocs-json", "full")
    counted = {c["reference"]: c for c in export_cases.statistics_cases(dataset)}
    assert {e["event_id"] for e in lists["events"]} == set(counted)
    by_event = {v["event_id"]: v for v in lists["victims"]}
    for reference, case in counted.items():
        index = int(case["_id"].removeprefix("c_gen"))
        assert planted(index)["full_name"] in by_event[reference]["name"]
        assert by_event[reference]["sex"] == case["dimensions"].get("gender")
    registry = {r["entity_id"]: r for r in lists["perpetrators"] if r["source"] == "registry"}
    linked = {link["entity_id"] for c in counted.values() for link in c["entity_links"]}
    assert set(registry) == linked and registry[HOUSEHOLD["_id"]]["name"] == HOUSEHOLD["name"]
    assert registry[AGENCY["_id"]]["licences"] == "BP2MI: KEP.777/2019"
    events = {e["event_id"]: e for e in lists["events"]}
    dated = [c for c in counted.values() if c.get("event")]
    assert dated and all(events[c["reference"]]["initial_date"] == c["event"]["start"]
                         for c in dated)
    # perpetrator types a link stands for are not repeated; the others are listed
    for reference, case in counted.items():
        typed = {r["to_id"].rsplit("/P-", 1)[1] for r in lists["relations"]
                 if r["from_id"].startswith(reference + "/") and "/P-" in r["to_id"]}
        covered = {"AGENCY_DEST", "AGENCY_ORIG", "BROKER"} if any(
            link["actor"] == "agency" for link in case["entity_links"]) else set()
        if any(link["actor"] == "employer" for link in case["entity_links"]):
            covered |= {"EMP_IND", "EMP_FAM", "EMP_CO"}
        assert typed == set(case["dimensions"].get("perpetrator_type") or ()) - covered


@pytest.mark.parametrize("fmt", FORMATS)
def test_aggregate__only_nameable_entities_with_their_counts(tmp_path, dataset, fmt):
    blob, _ = export(tmp_path, fmt, "aggregate")
    _, lists = read(blob, fmt, "aggregate")
    counted = export_cases.statistics_cases(dataset)
    shown = {r["name"]: int(r["cases"]) for r in lists["perpetrators"]}
    assert shown == {e["name"]: registry_links.linked_count(counted, e)
                     for e in (AGENCY, COMPANY)}
    text = blob.decode("utf-8", "replace")
    assert HOUSEHOLD["name"] not in text and planted(0)["full_name"] not in text


def test_unknown_format_refused(tmp_path, dataset):
    result = CliRunner().invoke(main, ["export", "--format", "huridocs-xml", "--redaction",
                                       "full", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and not (tmp_path / "x").exists()
