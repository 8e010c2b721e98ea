"""The export pages on a generated dataset: files that open and round-trip, redaction by
role, jobs for large exports, downloads for the requester only, refused bad input, audit."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import zipfile

import pytest
from openpyxl import load_workbook

from tests import export_cases
from tests.export_cases import FORMULA, planted

COUNT = 24
EXPORT = {"fmt": "csv", "level": "pseudonymised", "purpose": "statistics"}
#: Column titles name the section and the question.
NARRATIVE = "What happened: Tell us what happened, in your own words"
NAME = "The person this happened to: Name"
PASSPORT = "The person this happened to: Passport number"
NARRATIVE_KEY = "answer.narrative"
AGENCY = "Who did it: Name of the agency or broker, if any"
GENDER_WORDS = {"woman": "Woman", "man": "Man", "non_binary": "Non-binary",
                "undisclosed": "I prefer not to say", None: ""}


@pytest.fixture
def dataset(svc):
    return export_cases.store(svc, export_cases.generate(COUNT))


def export(auth, **data):
    return auth.post("/exports/", {**EXPORT, **data}, page="/exports/")


def members(data: bytes) -> dict[str, bytes]:
    """Every file inside a ZIP (a CSV or JSON Lines export, or an XLSX workbook)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def csv_rows(data: bytes, table: str = "cases") -> list[dict[str, str]]:
    text = members(data)[f"{table}.csv"].decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def sheet_rows(data: bytes, sheet: str = "cases") -> tuple[list, list[list]]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    rows = [list(r) for r in book[sheet].iter_rows(values_only=True)]
    return rows[0], rows[1:]


def needles(values: dict[str, str]) -> set[str]:
    """Each planted value whole, each word of names and places, and the phone's digits."""
    found = set(values.values())
    found |= {w for key in ("full_name", "city_area") for w in values[key].split()}
    found.add(re.sub(r"\D", "", values["phone"]))
    return found


def consented(cases, country=None):
    return [c for c in export_cases.statistics_cases(cases)
            if country is None or c["country"] == country]


def test_csv_full__opens_with_csv_and_round_trips_values(client, auth, login_as, dataset):
    login_as("coordinator")
    response = export(auth, level="full", country="MY")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    rows = {r["Reference"]: r for r in csv_rows(response.data)}
    expected = {c["reference"]: c for c in consented(dataset, "MY")}
    assert set(rows) == set(expected)
    for reference, case in expected.items():
        row = rows[reference]
        assert row["Stage"] == case["stage"]
        gender = case["dimensions"].get("gender")
        assert (row["Gender"], row["Gender (code)"]) == (GENDER_WORDS[gender], gender or "")
        assert row["MWC articles"] == ";".join(f"MWC-{n}" for n in case["mwc"])
        assert row[NARRATIVE] == case["answers"]["narrative"]
        assert row[NAME] == case["sensitive_answers"]["full_name"]
        assert row["Consent: statistics"] == "true"
    violations = csv_rows(response.data, "violations")
    countable = sum(len([n for n in c["mwc"] if n not in (1, 5, 34, 35, 36, 64)])
                    for c in expected.values())
    assert len(violations) == countable


def test_xlsx_full__opens_with_openpyxl_and_round_trips_values(client, auth, login_as,
                                                               dataset):
    login_as("coordinator")
    response = export(auth, level="full", fmt="xlsx")
    assert response.status_code == 200
    header, rows = sheet_rows(response.data)
    column = {label: i for i, label in enumerate(header)}
    expected = {c["reference"]: c for c in consented(dataset)}
    assert {r[column["Reference"]] for r in rows} == set(expected)
    for row in rows:
        case = expected[row[column["Reference"]]]
        assert row[column["Form version"]] == 1
        assert row[column["Country of work"]] == case["dimensions"]["destination_country"]
        assert row[column[PASSPORT]] == case["sensitive_answers"]["passport_number"]


def test_csv__unique_titles_labels_with_codes_and_a_codebook(client, auth, login_as,
                                                              dataset):
    login_as("mission", countries=["MY", "SG"])
    files = members(export(auth).data)
    assert {"cases.csv", "violations.csv", "codebook.csv", "notes.txt"} <= set(files)
    header = next(csv.reader(io.StringIO(files["cases.csv"].decode())))
    assert len(set(header)) == len(header)
    rows = csv_rows(export(auth).data)
    genders = {(r["Gender"], r["Gender (code)"]) for r in rows}
    assert ("Non-binary", "non_binary") in genders
    assert all(GENDER_WORDS[code or None] == label for label, code in genders)
    book = list(csv.DictReader(io.StringIO(files["codebook.csv"].decode())))
    assert [r["Column"] for r in book if r["Table"] == "cases"] == header
    acts = next(r for r in book if r["Key"] == "answer.acts.code")
    assert "unpaid_wages = " in acts["Allowed codes"] and acts["Type"] == 'codes joined with "; "'
    assert next(r for r in book if r["Key"] == NARRATIVE_KEY)["Question"] == NARRATIVE


def test_xlsx__in_the_chosen_language_with_a_codebook_sheet(client, auth, login_as, dataset):
    login_as("mission", countries=["MY", "SG"])
    client.get("/language?lang=ms")
    response = export(auth, fmt="xlsx")
    header, rows = sheet_rows(response.data)
    assert "Tarikh difailkan" in header and "Gender (kod)" in header
    assert "Apa yang berlaku: Ceritakan apa yang berlaku dengan kata-kata anda sendiri" in header
    assert len(set(header)) == len(header)
    genders = {(r[header.index("Gender")], r[header.index("Gender (kod)")]) for r in rows}
    assert ("Perempuan", "woman") in genders
    book_header, book = sheet_rows(response.data, "codebook")
    assert book_header[:2] == ["Jadual", "Lajur"]
    assert [r[1] for r in book if r[0] == "cases"] == header


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_pseudonymised__no_planted_value_in_any_byte(client, auth, login_as, dataset, fmt):
    login_as("mission", countries=["MY", "SG"])
    response = export(auth, fmt=fmt)
    assert response.status_code == 200
    blob = b"".join(members(response.data).values())
    assert b"[name]" in blob  # the narratives are there, masked
    for i in range(COUNT):
        for needle in needles(planted(i)):
            assert needle.encode() not in blob, (fmt, needle)
    for case in dataset:
        assert case["reference"].encode() not in blob


def test_pseudonymised__worker_name_in_narrative_masked(client, auth, login_as, dataset):
    login_as("mission", countries=["MY"])
    rows = csv_rows(export(auth, country="MY").data)
    narratives = [r[NARRATIVE] for r in rows]
    assert narratives and all(n.startswith("[name] lives in [location]. The agent kept "
                                           "passport [document]; call [contact] or [contact].")
                              for n in narratives)
    assert all(r["Case (pseudonym)"].startswith("P-") for r in rows)


def test_formula__neutralised_in_csv_and_xlsx(client, auth, login_as, dataset):
    login_as("coordinator")
    label = AGENCY
    cells = [r[label] for r in csv_rows(export(auth, country="MY").data)]
    assert "'" + FORMULA in cells and FORMULA not in cells
    header, rows = sheet_rows(export(auth, fmt="xlsx", country="MY").data)
    values = [r[header.index(label)] for r in rows]
    assert "'" + FORMULA in values and FORMULA not in values
    sheet = members(export(auth, fmt="xlsx", country="MY").data)["xl/worksheets/sheet1.xml"]
    assert b"<f>" not in sheet


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_zero_cases__valid_empty_file_with_headers(client, auth, login_as, dataset, fmt):
    login_as("coordinator")
    response = export(auth, fmt=fmt, country="KR")
    assert response.status_code == 200
    if fmt == "csv":
        assert csv_rows(response.data) == []
        assert members(response.data)["cases.csv"].decode().startswith("Case (pseudonym),")
    elif fmt == "xlsx":
        header, rows = sheet_rows(response.data)
        assert header[0] == "Case (pseudonym)" and rows == []
    else:
        assert members(response.data)["cases.jsonl"] == b""


def test_levels__mission_offered_no_full_and_asking_for_it_forbidden(client, auth, login_as,
                                                                    dataset):
    login_as("mission", countries=["MY"])
    page = client.get("/exports/").get_data(as_text=True)
    assert 'value="pseudonymised"' in page and 'value="full"' not in page
    assert export(auth, level="full").status_code == 403


def test_levels__coordinator_offered_full(client, login_as):
    login_as("coordinator")
    assert 'value="full"' in client.get("/exports/").get_data(as_text=True)


@pytest.mark.parametrize("query", ["country[$ne]=x", "country=%24ne", "destination[$gt]="])
def test_operator_injection__refused_and_nothing_read(client, auth, login_as, svc, dataset,
                                                       query):
    login_as("coordinator")
    assert client.get(f"/exports/?{query}").status_code == 400
    assert client.get(f"/exports/indicators?{query}").status_code == 400
    key, _, value = query.partition("=")
    assert export(auth, **{key: value}).status_code == 400
    assert svc.audit.recent(10, action="export.created") == []


def test_reversed_dates__clear_error_in_the_page_language(client, auth, login_as, dataset):
    login_as("coordinator")
    client.get("/language?lang=ms&next=/")
    response = export(auth, date_from="2025-06-01", date_to="2025-01-01")
    assert response.status_code == 400
    assert "Tarikh akhir adalah sebelum tarikh mula." in response.get_data(as_text=True)


def test_large_export__job_with_progress_and_a_download_for_the_requester_only(
        app, client, auth, login_as, svc, dataset):
    svc.settings = svc.settings.with_overrides(export_sync_max_rows=5)
    requester = login_as("mission", countries=["MY", "SG"])
    response = export(auth, fmt="jsonl")
    assert response.status_code == 302
    job_url = response.headers["Location"]
    page = client.get(job_url).get_data(as_text=True)
    assert 'data-status="done"' in page  # tasks run in-process in the test settings
    link = re.search(r'href="(/exports/jobs/[^"]+/files/export)"', page).group(1)
    data = client.get(link).data
    lines = members(data)["cases.jsonl"].decode().splitlines()
    assert len(lines) == len(consented(dataset))
    assert all(json.loads(line)["pseudonym"].startswith("P-") for line in lines)
    job = svc.export_jobs.recent_for(requester["_id"])[0]
    read = len(export_cases.counted_cases(dataset))  # the rule leaves the others unread
    assert job["progress"] == {"done": read, "total": read}
    assert job["left_out"]["declined"] == read - len(consented(dataset))
    assert job["left_out"]["not_verified"] == COUNT - read
    client.post("/auth/logout", data={})
    other = app.test_client()
    from tests.helpers import AuthActions

    login_as_other = AuthActions(other)
    stranger = svc.users.create("stranger@example.org", "correct horse battery", ["mission"],
                                countries=["MY", "SG"])
    assert login_as_other.login(stranger["email"]).status_code == 302
    assert other.get(job_url).status_code == 404
    assert other.get(link).status_code == 404
    actions = [e["action"] for e in svc.audit.recent(20) if e["action"].startswith("export")]
    assert actions[:3] == ["export.downloaded", "export.completed", "export.requested"]


def test_report_form__job_builds_html_and_pdf(client, auth, login_as, svc, dataset):
    login_as("mission", countries=["MY", "SG"])
    chosen = [c["reference"] for c in dataset[:4]]
    response = auth.post("/exports/reports", {
        "name": "Fact-finding mission to Malaysia", "countries": "MY, SG",
        "date_from": "2024-01-01", "date_to": "2025-12-31", "level": "pseudonymised",
        "references": "\n".join(chosen)}, page="/exports/reports")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    links = dict(re.findall(r'href="(/exports/jobs/[^"]+/files/(\w+))"', page)[i][::-1]
                 for i in range(2))
    html = client.get(links["html"]).get_data(as_text=True)
    assert "Mission report: Fact-finding mission to Malaysia" in html
    assert "Zubaidah" not in html
    pdf = client.get(links["pdf"]).data
    assert pdf.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()
    assert "Annex: the cases counted" in text and "3. Indicators" in text


def report_job(auth, dataset) -> str:
    response = auth.post("/exports/reports", {
        "name": "Mission to Malaysia", "countries": "MY, SG", "date_from": "2024-01-01",
        "date_to": "2025-12-31", "level": "pseudonymised",
        "references": dataset[0]["reference"]}, page="/exports/reports")
    assert response.status_code == 302
    return response.headers["Location"]


def test_report_view__html_opens_inline_under_a_policy_allowing_its_style_only(
        app, client, auth, login_as, svc, dataset):
    from exports.reports import STYLE_HASH

    login_as("mission", countries=["MY", "SG"])
    job_url = report_job(auth, dataset)
    page = client.get(job_url).get_data(as_text=True)
    views = re.findall(r'href="(/exports/jobs/[^"]+/files/(\w+)/view)"', page)
    assert [name for _, name in views] == ["html"]  # the PDF is downloaded, not viewed
    response = client.get(views[0][0])
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("inline;")
    assert response.mimetype == "text/html"
    policy = dict((part.strip().split(" ", 1) + [""])[:2]
                  for part in response.headers["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'none'" and policy["style-src"] == STYLE_HASH
    assert policy["img-src"] == "data:" and "sandbox" in policy
    assert "script-src" not in policy and "unsafe-inline" not in str(policy)
    assert "Mission report: Mission to Malaysia" in response.get_data(as_text=True)
    assert svc.audit.recent(1)[0]["action"] == "report.viewed"
    # the rest of the app keeps its own policy
    assert "style-src 'self'" in client.get(job_url).headers["Content-Security-Policy"]
    pdf_view = views[0][0].replace("/files/html/", "/files/pdf/")
    assert client.get(pdf_view).status_code == 404


def test_report_view__other_users_get_404(app, client, auth, login_as, svc, dataset):
    login_as("mission", countries=["MY", "SG"])
    job_url = report_job(auth, dataset)
    link = f"{job_url}/files/html/view"
    assert client.get(link).status_code == 200
    client.post("/auth/logout", data={})
    from tests.helpers import AuthActions

    other = app.test_client()
    stranger = svc.users.create("viewer@example.org", "correct horse battery", ["mission"],
                                countries=["MY", "SG"])
    assert AuthActions(other).login(stranger["email"]).status_code == 302
    assert other.get(link).status_code == 404


def test_report_form__mission_asking_for_full_forbidden(client, auth, login_as):
    login_as("mission", countries=["MY"])
    response = auth.post("/exports/reports", {
        "name": "M", "countries": "MY", "date_from": "2024-01-01", "date_to": "2024-12-31",
        "level": "full"}, page="/exports/reports")
    assert response.status_code == 403


def test_audit_page__coordinator_sees_every_export_with_filters_level_and_counts(
        client, auth, login_as, svc, dataset):
    login_as("coordinator")
    export(auth, country="SG", level="aggregate")
    page = client.get("/exports/audit").get_data(as_text=True)
    assert 'data-action="export.created"' in page
    [event] = svc.audit.recent(5, action="export.created")
    details = event["details"]
    assert details["redaction"] == "aggregate" and details["filters"]["countries"] == ["SG"]
    assert details["cases"] == len(consented(dataset, "SG"))
    counted = export_cases.counted_cases(c for c in dataset if c["country"] == "SG")
    assert details["left_out"]["declined"] == len(counted) - details["cases"]


@pytest.mark.parametrize(("role", "status"), [("mission", 403), ("reviewer", 403),
                                              ("member", 403)])
def test_audit_page__others_forbidden(client, login_as, role, status):
    login_as(role)
    assert client.get("/exports/audit").status_code == status


@pytest.mark.parametrize(("role", "shown"), [("mission", True), ("coordinator", True),
                                             ("reviewer", True), ("member", False)])
def test_navigation__exports_and_indicators_for_export_roles(client, login_as, role, shown):
    login_as(role, countries=["MY"])
    nav = client.get("/").get_data(as_text=True)
    assert (">Exports</a>" in nav and ">Indicators</a>" in nav) is shown
    assert client.get("/exports/").status_code == (200 if shown else 403)
