"""The spreadsheet pages of the form editor: translation sheets and XLSForm import, and the
whole walk of a new country: XLSForm → draft → translation sheet → publish → a report."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl

from app import roles as r
from tests.helpers import xlsx_bytes
from tests.intake_helpers import post_report, receipt
from tests.web.test_forms_admin import publish, unlabelled

WORKBOOK = Path(__file__).resolve().parents[1] / "data" / "th-xlsform.xlsx"


def sheet_rows(data: bytes) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def upload(auth, url: str, field: str, data: bytes, name: str, **extra):
    return auth.post(url, {field: (io.BytesIO(data), name), **extra},
                     content_type="multipart/form-data")


def test_translations_page__download_change_upload_lands_in_the_draft(client, login_as, auth,
                                                                      svc):
    login_as(r.FORM_EDITOR, countries=["MY"])
    page = client.get("/forms/my-intake/translations?lang=ms").get_data(as_text=True)
    assert 'name="lang"' in page and 'value="xlsx"' in page and 'value="csv"' in page
    assert unlabelled(page) == []
    assert unlabelled(client.get("/forms/import-xlsform").get_data(as_text=True)) == []
    assert "/forms/my-intake/translations" in client.get("/forms/my-intake/edit").get_data(
        as_text=True)
    response = client.get("/forms/my-intake/translations/sheet?lang=ms&format=xlsx")
    assert response.status_code == 200 and "my-intake-ms.xlsx" in response.headers[
        "Content-Disposition"]
    rows = sheet_rows(response.data)
    assert rows[0] == ["key", "context", "en", "ms"]
    keys = {row[0]: row for row in rows[1:]}
    assert "field.passport_held_by.label" in keys and "field.full_name.label" in keys
    keys["field.full_name.label"][3] = "Nama penuh"
    sent = upload(auth, "/forms/my-intake/translations", "sheet", xlsx_bytes(rows), "ms.xlsx")
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/forms/my-intake/edit")
    draft = svc.forms.draft("my-intake")
    assert "Nama penuh" in draft["text"] and "# my-intake" in draft["text"].splitlines()[0]
    assert svc.forms.latest("my-intake")["version"] == 1  # nothing published
    [event] = svc.audit.recent(1, action="form.translations_import")
    assert (event["target"], event["details"]["language"], event["details"]["changed"]) == (
        "my-intake", "ms", 1)
    csv = client.get("/forms/my-intake/translations/sheet?lang=ms&format=csv")
    assert csv.mimetype == "text/csv" and "Nama penuh" in csv.data.decode("utf-8-sig")


def test_translations_page__problems_by_row_and_nothing_saved(client, login_as, auth, svc):
    login_as(r.FORM_EDITOR, countries=["MY"])
    rows = sheet_rows(client.get("/forms/my-intake/translations/sheet?lang=ms").data)
    rows[3][0] = "field.nowhere.label"
    rows[7][3] = "{x} " + (rows[7][3] or "")
    sent = upload(auth, "/forms/my-intake/translations", "sheet", xlsx_bytes(rows), "ms.xlsx")
    page = sent.get_data(as_text=True)
    assert sent.status_code == 400 and svc.forms.draft("my-intake") is None
    assert re.findall(r'<li class="sheet-problem"><strong>sheet translations, row (\d+)', page) \
        == ["4", "8"]


def test_translations_page__other_countries_forms_refused(client, login_as):
    login_as(r.FORM_EDITOR, countries=["MY"])
    assert client.get("/forms/sa-intake/translations").status_code == 403
    assert client.get("/forms/nowhere/translations").status_code == 404


def test_xlsform_page__fatal_problems_listed_by_sheet_and_row(client, login_as, auth, svc):
    login_as(r.FORM_EDITOR, countries=["TH"])
    book = openpyxl.load_workbook(WORKBOOK)
    book["survey"].append(["begin repeat", "visits", "Visits", "การเยี่ยม"])
    out = io.BytesIO()
    book.save(out)
    sent = upload(auth, "/forms/import-xlsform", "workbook", out.getvalue(), "th.xlsx")
    page = sent.get_data(as_text=True)
    assert sent.status_code == 400 and svc.forms.draft("th-intake") is None
    assert "sheet survey, row 16" in page and "begin repeat" in page


def test_xlsform_page__a_form_of_another_country_refused(client, login_as, auth, svc):
    login_as(r.FORM_EDITOR, countries=["MY"])
    sent = upload(auth, "/forms/import-xlsform", "workbook", WORKBOOK.read_bytes(), "th.xlsx")
    assert sent.status_code == 403 and svc.forms.draft("th-intake") is None


def test_new_country__xlsform_then_sheet_then_publish_then_a_report(client, login_as, auth,
                                                                     svc):
    login_as(r.FORM_EDITOR, countries=["TH"])
    sent = upload(auth, "/forms/import-xlsform", "workbook", WORKBOOK.read_bytes(),
                  "th-xlsform.xlsx")
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/forms/th-intake/edit")
    editor = client.get("/forms/th-intake/edit").get_data(as_text=True)
    assert "th_problems" in editor  # the draft is in the editor
    # Thai has no catalogue for the app's own pages: the check says so before reporters
    # meet it, and publishing stays possible.
    checked = auth.post("/forms/th-intake/edit", {"source": svc.forms.draft("th-intake")["text"],
                                                  "action": "check"}, page="/forms/th-intake/edit")
    assert 'class="warning" data-code="no_interface_language"' in checked.get_data(as_text=True)
    # The inherited texts need Thai: one sheet, filled (test text, not real Thai).
    rows = sheet_rows(client.get("/forms/th-intake/translations/sheet?lang=th").data)
    for row in rows[1:]:
        row[3] = row[3] or f"[th] {row[2]}"
    sent = upload(auth, "/forms/th-intake/translations", "sheet", xlsx_bytes(rows), "th.xlsx")
    assert sent.status_code == 302
    text = svc.forms.draft("th-intake")["text"]
    published = publish(auth, "/forms/th-intake/edit", text)
    assert published.status_code == 302, published.get_data(as_text=True)[:3000]
    assert svc.forms.latest("th-intake")["languages"] == ["en", "th"]
    english = client.get("/report/th-intake/en/step/th_papers").get_data(as_text=True)
    thai = client.get("/report/th-intake/th/step/th_papers").get_data(as_text=True)
    assert "Did any of these happen?" in english and "Under an MOU" in english
    assert "มีเหตุการณ์เหล่านี้เกิดขึ้นหรือไม่" in thai and "ถูกกักตัวในศูนย์กักตัวคนต่างด้าว" in thai
    answers = {"destination_country": "TH", "narrative": "The agency keeps my pink card.",
               "consent_case_work": "y", "th_route": "pink_card",
               "th_problems": ["documents_kept", "idc"], "th_detained_on": "2026-11-02"}
    response = post_report(client, "th-intake", "th", data=answers)
    case = svc.cases.by_tracking(*receipt(response.get_data(as_text=True)))
    assert case["form"]["id"] == "th-intake"
    assert case["mwc"] == [16, 17, 21, 22]


def test_translations_page__unreadable_file_named_in_the_pages_language(client, login_as,
                                                                          auth, svc):
    login_as(r.FORM_EDITOR, countries=["MY"])
    client.get("/language?lang=ms")
    sent = upload(auth, "/forms/my-intake/translations", "sheet", b"\xff\xfe\x00 not a sheet",
                  "ms.csv")
    page = sent.get_data(as_text=True)
    assert sent.status_code == 400 and svc.forms.draft("my-intake") is None
    assert "codec" not in page and "UTF-8" in page  # no reader's English, the fix instead
    assert '<html lang="ms"' in page
    assert ("<strong>fail ini</strong>: Fail ini tidak dapat dibaca sebagai teks CSV dalam "
            "UTF-8") in page
