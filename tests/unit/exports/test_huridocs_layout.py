"""One case laid out after the HURIDOCS Events Standard Formats, on plain data: record
numbers that join, acts per MWC article, perpetrators from links and from answers, and
what each redaction level lets into the rows."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from exports.huridocs import (
    ACTS,
    EVENTS,
    PERPETRATORS,
    RELATIONS,
    VICTIMS,
    DocumentationLayout,
    tables,
)
from exports.redaction import Redactor
from exports.writers.base import WriteResult
from exports.writers.documents import DocumentationCsvWriter, JsonDocumentWriter
from forms.mwc import load_taxonomy
from tests.unit.exports.export_factories import make_case, shipped

ANSWERS = {"destination_country": "MY", "nationality": "ID", "gender": "woman",
           "acts": ["unpaid_wages", "documents_taken"], "perpetrator_type": ["EMP_IND", "POLICE"],
           "full_name": "Siti Aminah binti Yusof", "passport_number": "B1234567",
           "narrative": "Siti Aminah was not paid.", "consent_statistics": True}
LINKS = [{"entity_id": "ent_household", "actor": "employer", "question": "employer_name",
          "linked_by": "usr_r", "linked_at": "2026-03-04T10:00:00Z"}]
HOUSEHOLD = {"_id": "ent_household", "kind": "employer", "name": "Madam Rosnah",
             "country": "MY", "licences": []}


def laid_out(level: str) -> tuple[DocumentationLayout, dict[str, list[dict]]]:
    definition = shipped("my-intake")
    case = make_case("my-intake", dict(ANSWERS), case_id="c_1", reference="MY-2026-000001",
                     stage="verified",
                     approved_texts={"narrative": {"text": ANSWERS["narrative"]}})
    case["entity_links"] = LINKS
    case["event"] = {"start": "2025-03-01", "end": "2025-03-31", "precision": "month",
                     "approximate": False}
    redactor = Redactor(level, salt=b"s" * 32)
    layout = DocumentationLayout(redactor, load_taxonomy())
    rows: dict[str, list[dict]] = {t.name: [] for t in tables(level)}
    for name, row in layout.case_rows(case, redactor.redact(case, definition), definition):
        rows[name].append(row)
    for name, row in layout.entity_rows({"ent_household": HOUSEHOLD}):
        rows[name].append(row)
    return layout, rows


def test_full__reference_personal_fields_and_the_household_employer_named():
    _, rows = laid_out("full")
    [event] = rows[EVENTS]
    assert event["event_id"] == "MY-2026-000001" and event["initial_date"] == "2025-03-01"
    [victim] = rows[VICTIMS]
    assert victim["name"] == "Siti Aminah binti Yusof" and victim["document"] == "B1234567"
    registry = [p for p in rows[PERPETRATORS] if p["source"] == "registry"]
    assert registry == [{"perpetrator_id": "ent_household", "source": "registry",
                         "entity_id": "ent_household", "name": "Madam Rosnah",
                         "kind": "employer", "country": "MY", "licences": None}]
    # the employer link stands for EMP_IND; the police are listed from the answers
    assert [p["type_code"] for p in rows[PERPETRATORS] if p["source"] == "answer"] == ["POLICE"]


def test_pseudonymised__pseudonyms_no_personal_field_no_private_name():
    layout, rows = laid_out("pseudonymised")
    text = json.dumps(rows, default=str)
    for secret in ("Siti", "Aminah", "B1234567", "Madam Rosnah", "MY-2026-000001",
                   "ent_household"):
        assert secret not in text
    [event] = rows[EVENTS]
    assert event["event_id"].startswith("P-") and "local_area" not in event
    assert set(rows[VICTIMS][0]) >= {"sex", "citizenship"} and "name" not in rows[VICTIMS][0]
    assert rows[VICTIMS][0]["sex"] == "woman"
    [registry] = [p for p in rows[PERPETRATORS] if p["source"] == "registry"]
    assert registry["perpetrator_id"] == layout.linked["ent_household"]
    assert registry["name"] is None and registry["kind"] == "employer"


@pytest.mark.parametrize("level", ["full", "pseudonymised"])
def test_relations__every_act_has_the_victim_and_every_perpetrator(level):
    _, rows = laid_out(level)
    acts = {a["act_id"] for a in rows[ACTS]}
    assert len(acts) == len({a["type_of_act"] for a in rows[ACTS]}) >= 2
    perpetrators = {p["perpetrator_id"] for p in rows[PERPETRATORS]}
    victim = rows[VICTIMS][0]["victim_id"]
    event = rows[EVENTS][0]["event_id"]
    pairs = {(r["from_id"], r["relation"], r["to_id"]) for r in rows[RELATIONS]}
    assert pairs == ({(event, "act", a) for a in acts} | {(a, "victim", victim) for a in acts}
                     | {(a, "perpetrator", p) for a in acts for p in perpetrators})
    assert {r["degree_of_involvement"] for r in rows[RELATIONS]
            if r["relation"] == "perpetrator"} == {"alleged"}


def test_writers__json_document_and_csv_zip_with_readme():
    _, rows = laid_out("pseudonymised")
    tagged = [(name, row) for name, found in rows.items() for row in found]
    meta = {"caution": "Allegations only.", "layout": "ESF", "redaction": "pseudonymised"}
    out = io.BytesIO()
    result = JsonDocumentWriter(metadata=lambda w: {**meta, "rows": dict(w.rows)}).write(
        iter(tagged), tables("pseudonymised"), out, notes=lambda: ["1 case left out."])
    document = json.loads(out.getvalue())
    assert document["metadata"]["rows"] == {n: len(r) for n, r in rows.items()}
    assert document[ACTS] == [{k: v for k, v in a.items()} for a in rows[ACTS]]
    assert isinstance(result, WriteResult) and result.notes == ("1 case left out.",)
    out = io.BytesIO()
    DocumentationCsvWriter(metadata=lambda w: meta).write(iter(tagged), tables("pseudonymised"),
                                                          out)
    with zipfile.ZipFile(out) as archive:
        assert archive.read("README.txt").decode().startswith("Allegations only.")
        assert len(archive.read("relations.csv").decode().splitlines()) == len(
            rows[RELATIONS]) + 1


def test_json_writer__empty_lists_are_valid_json():
    out = io.BytesIO()
    JsonDocumentWriter(metadata=lambda w: {}).write(iter(()), tables("aggregate"), out)
    assert json.loads(out.getvalue()) == {"metadata": {}, EVENTS: [], ACTS: [], VICTIMS: [],
                                          PERPETRATORS: [], RELATIONS: []}
