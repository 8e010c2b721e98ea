"""An export reads its cases once: columns found on the way, rows spooled, cursor read ahead.

`run_export` used to ask the database for the matched cases' form versions first
(a grouping, i.e. a second full read on FerretDB) and then read the cases. Now it
reads them once, notes their forms, spools the rows and writes them when the
columns are known. The files must be the same as the two-read way's, byte for byte.
"""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from export_factories import make_case, shipped

from exports.case_spool import CaseSpool
from exports.columns import build_layout, export_rows
from exports.consent import consent_filter
from exports.counting import left_out_match
from exports.read_ahead import read_ahead
from exports.redaction import Redactor
from exports.service import ExportRequest, run_export, withheld_notes
from exports.writers import get_writer

COORDINATOR = {"id": "u_1", "roles": ["coordinator"], "org_id": None, "countries": []}
SALT = b"s" * 32


def cases() -> list[dict[str, Any]]:
    """Malaysian and Singaporean cases on two form versions, one without consent,
    one on no form (which no export holds), in filing order."""
    found = []
    for i in range(12):
        form, version = ("my-intake", 1) if i % 3 else ("sg-intake", 2)
        found.append(make_case(form, {
            "destination_country": form[:2].upper(), "gender": "woman",
            "narrative": f"Siti Aminah {i} was not paid; call +60 12-345 67{i:02d}.",
            "full_name": "Siti Aminah", "passport_held_by": "employer",
            "consent_case_work": True, "consent_statistics": i != 4,
        }, version=version, case_id=f"c_{i:02d}", reference=f"XX-2026-{i:06d}"))
    found[7]["form"] = {"version": 1}  # no form id
    return found


class Repo:
    """Hands out copies of the cases; a grouping of them would be a second read.

    The one grouping allowed counts the cases the counting rule leaves out: it reads
    none of the cases exported (here, none is left out).
    """

    def __init__(self, documents: list[dict[str, Any]]) -> None:
        self.documents = documents

    def matching(self, match: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        return iter([dict(case) for case in self.documents])

    def aggregate(self, pipeline: list[dict[str, Any]]) -> list[dict[str, Any]]:
        match = pipeline[0].get("$match", {})
        if left_out_match() in match.get("$and", [match]):
            return []
        raise AssertionError("a case export reads its cases once, with no grouping first")

    def count_matching(self, match: Mapping[str, Any]) -> int:
        return len(self.documents)


class Forms:
    def __init__(self) -> None:
        self.asked: list[tuple[str, int]] = []

    def definition(self, form_id: str, version: int) -> Any:
        self.asked.append((form_id, version))
        return shipped(form_id)


class Opener:
    """Opens the factory's sealed answers: the cases already carry them."""

    def __init__(self, documents: list[dict[str, Any]]) -> None:
        self.by_token = {}
        for case in documents:
            case["sensitive"] = f"token-{case['_id']}"
            self.by_token[case["sensitive"]] = case.pop("sensitive_answers")

    def open(self, token: str | None) -> dict[str, Any]:
        return dict(self.by_token[token])


def parts(data: bytes) -> dict[str, bytes]:
    if not data.startswith(b"PK"):
        return {"file": data}
    with zipfile.ZipFile(io.BytesIO(data)) as files:
        return {n: files.read(n) for n in files.namelist() if n != "docProps/core.xml"}


def two_reads(documents: list[dict[str, Any]], opener: Opener, fmt: str,
              level: str) -> bytes:
    """The export as it was built before: the forms first, then the cases of those forms."""
    on_forms = [c for c in documents if (c.get("form") or {}).get("id")]
    versions = sorted({(c["form"]["id"], c["form"]["version"]) for c in on_forms})
    layout = build_layout({k: shipped(k[0]) for k in versions}, "en", level)
    opened = []
    for case in on_forms:
        case = dict(case)
        case["sensitive_answers"] = opener.open(case["sensitive"])
        opened.append(case)
    keep = consent_filter("statistics")
    out = io.BytesIO()
    redactor = Redactor(level, salt=SALT)
    get_writer(fmt).write(export_rows(keep(opened), layout, redactor), layout.tables, out,
                          notes=lambda: [*keep.notes(), *withheld_notes(redactor.withheld)])
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
@pytest.mark.parametrize("level", ["pseudonymised", "full"])
def test_one_read__same_file_as_two_reads(fmt: str, level: str,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    documents = cases()
    opener = Opener(documents)
    monkeypatch.setattr("exports.redaction.secrets.token_bytes", lambda n: SALT)
    forms, out, seen = Forms(), io.BytesIO(), []
    result = run_export(Repo(documents), forms, opener, COORDINATOR,
                        ExportRequest(fmt=fmt, level=level), out,
                        full_roles=("coordinator",),
                        progress=lambda done, total: seen.append((done, total)), total=12)
    assert parts(out.getvalue()) == parts(two_reads(documents, opener, fmt, level))
    assert sorted(forms.asked) == [("my-intake", 1), ("sg-intake", 2)]  # once each
    assert result.matched == 11 and result.consent.declined == 1  # the formless case: none
    assert result.rows["cases"] == 10 and seen[-1] == (11, 12)


def test_sealed_answers__opened_only_for_the_cases_kept() -> None:
    documents = cases()
    opener = Opener(documents)
    asked: list[str] = []
    real_open = opener.open

    def counted(token: str | None) -> dict[str, Any]:
        asked.append(token)
        return real_open(token)

    opener.open = counted  # type: ignore[method-assign]
    result = run_export(Repo(documents), Forms(), opener, COORDINATOR,
                        ExportRequest(fmt="jsonl", level="pseudonymised"), io.BytesIO(),
                        full_roles=("coordinator",))
    declined = [c["sensitive"] for c in documents
                if (c.get("consent") or {}).get("statistics") is False]
    assert result.consent.declined == 1 and declined
    assert len(asked) == result.rows["cases"] and not set(declined) & set(asked)


def test_spool__rows_come_back_in_order_from_disk() -> None:
    layout = build_layout({("my-intake", 1): shipped("my-intake")}, "en", "pseudonymised")
    with CaseSpool(limit=256, batch=3) as spool:
        for i in range(10):
            spool.add({"pseudonym": f"P-{i}", "country": "MY"}, (21, 25) if i % 2 else ())
        assert spool._file._rolled  # past the limit: on disk
        rows = list(spool.rows(layout))
    assert [v["pseudonym"] for name, v in rows if name == "cases"] == [
        f"P-{i}" for i in range(10)]
    violations = [v for name, v in rows if name == "violations"]
    assert len(violations) == 10 and violations[0]["pseudonym"] == "P-1"
    assert violations[0]["mwc_code"] == "MWC-21" and violations[1]["mwc_article"] == 25


def test_read_ahead__same_items_in_order() -> None:
    assert list(read_ahead(iter(range(1000)), chunk=7, depth=2)) == list(range(1000))
    assert list(read_ahead(iter([]))) == []


def test_read_ahead__an_error_reaches_the_consumer_after_the_items_before_it() -> None:
    def failing() -> Iterator[int]:
        yield from range(5)
        raise ConnectionError("server went away")

    got = []
    with pytest.raises(ConnectionError, match="went away"):
        got.extend(read_ahead(failing(), chunk=2))
    assert got == [0, 1, 2, 3, 4]


def test_read_ahead__consumer_stopping_early_stops_and_closes_the_source() -> None:
    closed = threading.Event()

    class Cursor:
        def __init__(self) -> None:
            self.read = 0

        def __iter__(self) -> Cursor:
            return self

        def __next__(self) -> int:
            self.read += 1
            return self.read

        def close(self) -> None:
            closed.set()

    cursor = Cursor()
    items = read_ahead(cursor, chunk=10, depth=2)
    assert [next(items) for _ in range(3)] == [1, 2, 3]
    items.close()  # what a failed export does to its generators
    assert closed.is_set()
    assert cursor.read <= 10 * 4  # bounded: never more than a few chunks ahead
    assert not any(t.name == "export-read-ahead" for t in threading.enumerate())


def test_failed_export__reading_thread_stopped_at_once() -> None:
    class MissingForm(Forms):
        def definition(self, form_id: str, version: int) -> Any:
            if form_id == "sg-intake":
                raise LookupError("no such form version")
            return super().definition(form_id, version)

    documents = cases() * 30  # more than the reader holds, so it is still reading
    opener = Opener(cases())
    for case in documents:
        case["sensitive"] = None
    with pytest.raises(LookupError) as failed:  # the traceback kept, as a job's log keeps it
        run_export(Repo(documents), MissingForm(), opener, COORDINATOR,
                   ExportRequest(fmt="csv"), io.BytesIO(), full_roles=())
    assert not any(t.name == "export-read-ahead" for t in threading.enumerate())
    assert failed.traceback
