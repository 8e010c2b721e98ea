"""The import pages: upload, match the columns, check in the member's language, import as a
job, import again (nothing twice), attachments from a ZIP, the template, and who may."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime

import openpyxl
import pytest

from tests.helpers import csrf_token, xlsx_bytes
from tests.intake_helpers import publish_shipped

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HEADER = ["No. Kes", "Negara", "Cerita", "Izin", "Tarikh", "Fail"]
GOOD = [["KL-01", "MY", "Gaji tidak dibayar", "yes", "2025-02-01", ""],
        ["KL-02", "MY", "Pasport ditahan", "yes", "", "kontrak.pdf"]]
BAD = [["KL-03", "", "Dipukul", "yes", "2025-13-40", "tiada.pdf"]]
MAPPING = {"No. Kes": "_reference", "Negara": "destination_country", "Cerita": "narrative",
           "Izin": "consent_case_work", "Tarikh": "violation_date", "Fail": "_attachments"}


@pytest.fixture
def member(svc, login_as):
    publish_shipped(svc)
    org = svc.organisations.create("Tenaganita", "MY")
    return login_as("member", org_id=org["_id"])


def archive(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return out.getvalue()


def upload(client, rows, files=None, form="my-intake@1"):
    token = csrf_token(client.get("/imports/").get_data(as_text=True))
    data = {"csrf_token": token, "form": form,
            "sheet": (io.BytesIO(xlsx_bytes([HEADER, *rows])), "kes.xlsx")}
    if files is not None:
        data["archive"] = (io.BytesIO(archive(files)), "fail.zip")
    response = client.post("/imports/", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def send(client, url, action, mapping=MAPPING):
    """Post the mapping page with `mapping`, or as the page suggests it when None."""
    html = client.get(url).get_data(as_text=True)
    titles = re.findall(r'<label for="column-(\d+)">([^<]*)</label>', html)
    if mapping is None:
        data = dict(re.findall(r'<select id="column-\d+" name="(column-\d+)">.*?'
                               r'<option value="([^"]*)" selected>', html, re.DOTALL))
    else:
        data = {f"column-{i}": mapping.get(title, "") for i, title in titles}
    return client.post(url, data={**data, "csrf_token": csrf_token(html), "action": action},
                       follow_redirects=True)


def problem_rows(html: str) -> list[tuple[str, str, str]]:
    table = html.split('class="import-problems"')[1].split("</table>")[0]
    return [tuple(re.sub(r"<[^>]+>", "", c).strip() for c in cells) for cells in
            (re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", table))
            if cells]


def test_mapping_page__one_labelled_select_per_column_and_suggestions(client, member):
    url = upload(client, GOOD)
    html = client.get(url).get_data(as_text=True)
    for i, title in enumerate(HEADER):
        assert f'<label for="column-{i}">{title}</label>' in html
    assert "Tell us what happened, in your own words (narrative)" in html


def test_check__every_problem_by_row_and_column_in_two_languages(client, svc, member):
    url = upload(client, GOOD + BAD, {"kontrak.pdf": PDF})
    english = problem_rows(send(client, url, "check").get_data(as_text=True))
    assert ("4", "Negara", "This question needs an answer.") in english
    assert ("4", "Tarikh", "Write the date as year-month-day, for example 2026-03-14.") \
        in english
    assert ("4", "Fail", "The file tiada.pdf is not in the ZIP archive.") in english
    client.get("/language?lang=ms")
    malay = problem_rows(send(client, url, "check").get_data(as_text=True))
    assert ("4", "Negara", "Soalan ini perlu dijawab.") in malay
    assert ("4", "Tarikh", "Tulis tarikh sebagai tahun-bulan-hari, contohnya 2026-03-14.") \
        in malay
    assert svc.cases.cases.count_documents({}) == 0


def test_import__refused_whole_when_a_row_has_problems(client, svc, member):
    url = upload(client, GOOD + BAD, {"kontrak.pdf": PDF})
    html = send(client, url, "import").get_data(as_text=True)
    assert 'data-status="refused"' in html
    assert ("4", "Negara", "This question needs an answer.") in problem_rows(html)
    assert svc.cases.cases.count_documents({}) == 0


def test_import_then_again__created_once_with_attachments_and_routed(client, svc, member):
    html = send(client, upload(client, GOOD, {"folder/kontrak.pdf": PDF}), "import") \
        .get_data(as_text=True)
    assert 'data-status="done"' in html and "Cases created: 2" in html
    case = svc.cases.cases.find_one({"source.original_reference": "KL-02"})
    assert case["source"]["kind"] == "import" and case["source"]["row"] == 3
    assert case["reporter"]["org_id"] == member["org_id"]
    assert case["attachments"][0]["name"] == "kontrak.pdf"
    assert case["attachments"][0]["content_type"] == "application/pdf"
    assert case["stage"] != "submitted"
    again = send(client, upload(client, GOOD, {"kontrak.pdf": PDF}), "import") \
        .get_data(as_text=True)
    assert "Cases created: 0" in again and "not created again: 2" in again
    assert svc.cases.cases.count_documents({}) == 2


def test_refused_attachment__a_renamed_program_is_a_row_problem(client, member):
    url = upload(client, GOOD, {"kontrak.pdf": b"MZ\x90\x00\x03 a program"})
    rows = problem_rows(send(client, url, "check").get_data(as_text=True))
    assert rows == [("3", "Fail", ("The file kontrak.pdf is not a document, photo, sound or "
                                  "video that reports may attach."))]


def test_template_round_trip__filled_and_imported_as_it_is(client, svc, member):
    response = client.get("/imports/template?form=my-intake@1")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = book["cases"]
    header = [c.value for c in sheet[1]]
    values = {"destination_country": "MY", "narrative": "Fees deducted",
              "consent_case_work": "yes", "original_reference": "T-9"}
    sheet.append([values.get(t) for t in header])
    out = io.BytesIO()
    book.save(out)
    token = csrf_token(client.get("/imports/").get_data(as_text=True))
    url = client.post("/imports/", data={"csrf_token": token, "form": "my-intake@1",
                                         "sheet": (io.BytesIO(out.getvalue()), "t.xlsx")},
                      content_type="multipart/form-data").headers["Location"]
    html = send(client, url, "import", mapping=None).get_data(as_text=True)
    assert "Cases created: 1" in html, html
    assert svc.cases.cases.find_one({"source.original_reference": "T-9"}) is not None


def test_unreadable_upload__said_in_words_and_nothing_kept(client, svc, member):
    token = csrf_token(client.get("/imports/").get_data(as_text=True))
    response = client.post("/imports/", data={
        "csrf_token": token, "form": "my-intake@1",
        "sheet": (io.BytesIO(b"PK\x03\x04garbage"), "x.xlsx")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert "cannot be read as an Excel workbook" in response.get_data(as_text=True)
    assert svc.import_jobs.jobs.count_documents({}) == 0


@pytest.mark.parametrize(("roles", "status"), [
    (("member",), 200), (("form_editor",), 200), (("coordinator",), 200),
    (("reviewer",), 403), (("mission",), 403), (("reporter",), 403), (("admin",), 403)])
def test_who_may_import(client, svc, login_as, roles, status):
    login_as(*roles)
    assert client.get("/imports/").status_code == status


def test_a_job_answers_its_uploader_only(client, svc, member, auth, make_user):
    url = upload(client, GOOD)
    other = make_user(("member",), org_id=member["org_id"])
    client.get("/auth/logout")
    auth.login(other["email"])
    assert client.get(url).status_code == 404


def test_long_sheet__checked_by_a_background_job_and_shown_on_the_mapping_page(
        client, svc, member, monkeypatch):
    monkeypatch.setattr("app.imports.views.SYNC_CHECK_ROWS", 1)
    url = upload(client, GOOD + BAD, {"kontrak.pdf": PDF})
    html = send(client, url, "check").get_data(as_text=True)  # followed to the job's page
    assert "Match the columns" in html
    assert ("4", "Negara", "This question needs an answer.") in problem_rows(html)
    job = svc.import_jobs.jobs.find_one()
    assert job["status"] == "draft" and job["last_check"]["problem_count"] == 3
    assert job["progress"] == {"done": 3, "total": 3, "phase": "checking"}
    assert svc.cases.cases.count_documents({}) == 0


def test_coordinator__imports_for_the_organisation_they_choose(client, svc, login_as):
    publish_shipped(svc)
    org = svc.organisations.create("Migrant Care", "ID")
    login_as("coordinator")
    assert 'id="import-org"' in client.get("/imports/").get_data(as_text=True)
    token = csrf_token(client.get("/imports/").get_data(as_text=True))
    refused = client.post("/imports/", data={
        "csrf_token": token, "form": "my-intake@1", "org": "o_nobody",
        "sheet": (io.BytesIO(xlsx_bytes([HEADER, *GOOD])), "kes.xlsx")},
        content_type="multipart/form-data")
    assert refused.status_code == 400
    response = client.post("/imports/", data={
        "csrf_token": token, "form": "my-intake@1", "org": org["_id"],
        "sheet": (io.BytesIO(xlsx_bytes([HEADER, GOOD[0]])), "kes.xlsx")},
        content_type="multipart/form-data")
    html = send(client, response.headers["Location"], "import").get_data(as_text=True)
    assert "Cases created: 1" in html
    assert svc.cases.cases.find_one()["reporter"]["org_id"] == org["_id"]


def test_job_page__refreshes_itself_with_its_progress_while_it_runs(client, svc, member):
    url = upload(client, GOOD)
    job_id = url.rsplit("/", 1)[-1]
    svc.import_jobs.queue(job_id, MAPPING, datetime.now(UTC))
    svc.import_jobs.progress(job_id, 1, 2, datetime.now(UTC))
    html = client.get(url).get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="3">' in html
    assert "1 of 2 rows imported." in html and f'href="/imports/{job_id}"' in html
