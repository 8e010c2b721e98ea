"""A reviewer approves a redacted narrative on the case page, starting from the automatic
masking; pseudonymised outputs carry only that version, and leave out, with a count, the
narratives nobody approved."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest

from tests.case_helpers import ANSWERS, file_case
from tests.intake_helpers import forms_published  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("forms_published")
STORY = ("Siti Rahmah works for Harbour Foods. Her friend Dewi, called Kak Wati, and the "
         "agent Pak Budi from Maju Sejahtera took her passport in Kampung Baru.")
APPROVED = ("[name] works for [employer]. Her friend [name], called [name], and the agent "
            "[name] from [agency] took her passport in [location].")
NARRATIVE = "What happened: Tell us what happened, in your own words"


@pytest.fixture
def filed(svc):
    answers = {**ANSWERS, "narrative": STORY, "consent_statistics": True}
    return [file_case(svc, answers=answers), file_case(svc, answers=answers)]


def _form(page: str) -> tuple[str, str, str]:
    """(action, version, text) of the narrative's approval form."""
    form = re.search(r'<form method="post" action="/cases/[^"]+/texts/narrative".*?</form>',
                     page, re.S).group(0)
    text = re.search(r"<textarea[^>]*>(.*?)</textarea>", form, re.S).group(1)
    version = re.search(r'name="text-narrative-version"[^>]*value="(\d+)"|value="(\d+)"[^>]*'
                        r'name="text-narrative-version"', form)
    return (re.search(r'action="([^"]+)"', form).group(1), version.group(1) or version.group(2),
            text.strip())


def test_case_page__suggestion_from_the_masking_then_approved(client, auth, login_as, svc,
                                                               filed):
    login_as("coordinator")
    reference = filed[0]["reference"]
    page = client.get(f"/cases/{reference}").get_data(as_text=True)
    assert "Not approved yet" in page
    action, version, suggested = _form(page)
    assert "[name] works for" in suggested and "Siti" not in suggested  # the name field
    assert "Dewi" in suggested  # a name only the story holds: the reviewer's to remove
    response = auth.post(action, {"text-narrative-text": APPROVED,
                                  "text-narrative-version": version},
                         page=f"/cases/{reference}", prefix="text-narrative")
    assert response.status_code == 302
    page = client.get(f"/cases/{reference}").get_data(as_text=True)
    assert "Approved by" in page and "[agency]" in page
    case = svc.db.cases.find_one({"reference": reference})
    assert case["approved_texts"]["narrative"]["text"] == APPROVED
    assert case["events"][-1]["kind"] == "narrative_approved"


def test_member__cannot_approve(client, auth, login_as, svc, filed):
    login_as("member")
    reference = filed[0]["reference"]
    response = auth.post(f"/cases/{reference}/texts/narrative",
                         {"text-narrative-text": "x", "text-narrative-version": "2"},
                         page="/account/", prefix="text-narrative")
    assert response.status_code in (403, 404)
    assert "approved_texts" not in svc.db.cases.find_one({"reference": reference})


def test_pseudonymised_export__approved_version_only_the_other_counted(client, auth, login_as,
                                                                       svc, filed):
    case = svc.db.cases.find_one({"reference": filed[0]["reference"]})
    svc.workflow.approve_text(case, {"id": "u_x", "roles": ["coordinator"], "org_id": None,
                                     "countries": []}, "narrative", APPROVED)
    login_as("coordinator")
    response = auth.post("/exports/", {"fmt": "csv", "level": "pseudonymised",
                                       "purpose": "statistics", "unverified": "y"},
                         page="/exports/")
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("cases.csv").decode())))
        notes = archive.read("notes.txt").decode()
        blob = b"".join(archive.read(n) for n in archive.namelist())
    assert sorted(r[NARRATIVE] for r in rows) == ["", APPROVED]
    assert "1 narrative left out: no reviewer has approved a redacted version yet." in notes
    for word in (b"Dewi", b"Wati", b"Budi", b"Sejahtera", b"Kampung"):
        assert word not in blob
