"""Helpers for the intake tests: published shipped forms and filling the questionnaire."""

from __future__ import annotations

import re

import pytest

from tests.helpers import csrf_token


def publish_shipped(svc) -> None:
    """Publish the shipped forms (the store is attached here if the app has not wired it)."""
    if getattr(svc, "forms", None) is None:
        from forms.store import FormStore

        svc.forms = FormStore(svc.db)
    svc.forms.publish_shipped()


def publish_text(svc, text: str) -> dict:
    """Publish a test form written as YAML, whose parents are the published forms."""
    from forms.compiler import compile_text

    definition = compile_text(text, "test-form.yaml", svc.forms.library_sources()).unwrap()
    return svc.forms.publish(definition, source_text=text, actor="test")


@pytest.fixture
def forms_published(svc):
    publish_shipped(svc)
    return svc


MINIMAL = {"destination_country": "MY", "narrative": "My employer keeps my passport.",
           "consent_case_work": "y"}


def post_report(client, form_id="my-intake", lang="en", data=None, files=None, token=None):
    """GET the questionnaire for its CSRF token, then POST the answers (multipart)."""
    url = f"/report/{form_id}/{lang}"
    if token is None:
        token = csrf_token(client.get(url).get_data(as_text=True))
    payload = {**(MINIMAL if data is None else data), "csrf_token": token}
    for name, items in (files or {}).items():
        payload[name] = items
    return client.post(url, data=payload, content_type="multipart/form-data")


def receipt(html: str) -> tuple[str, str]:
    reference = re.search(r'id="case-reference">([^<]+)<', html).group(1)
    code = re.search(r'id="tracking-code">([^<]+)<', html).group(1)
    return reference, code


#: A country form with a required question under show_if, a number and a file question.
TEST_FORM = """
form: tt-intake
extends: mwc-base
country: MY
languages: [en, ms]
title: {en: Test form, ms: Borang ujian}
sections:
  - id: extra
    title: {en: Extra, ms: Tambahan}
    fields:
      - id: has_payslip
        type: boolean
        label: {en: Do you have a payslip?, ms: Adakah anda ada slip gaji?}
      - id: payslip_month
        type: text
        required: true
        show_if: {field: has_payslip, equals: true}
        label: {en: Which month is it for?, ms: Untuk bulan apa?}
      - id: hours_per_day
        type: integer
        min: 0
        max: 24
        label: {en: Hours worked per day, ms: Jam bekerja sehari}
      - id: payslip_scan
        type: file
        label: {en: Photo of the payslip, ms: Gambar slip gaji}
"""


def every_step(client, form_id="my-intake", lang="en") -> str:
    """The pages of every step of a questionnaire, one after another, as a reporter
    who has answered nothing yet sees them (a step skipped by its conditions is empty)."""
    from forms.steps import all_steps

    svc = client.application.extensions["mrvrs"]
    definition = svc.forms.definition(form_id, int(svc.forms.summary(form_id)["version"]))
    return "\n".join(client.get(f"/report/{form_id}/{lang}/step/{step}").get_data(as_text=True)
                     for step in all_steps(definition))


def walk_steps(client, form_id="my-intake", lang="en", data=None) -> str:
    """Answer a questionnaire step by step as a reporter would, every step's page
    posting `data` (MINIMAL unless given; a step keeps only its own questions), and
    return the last page: the answers to check, the send button and its one-time
    `submission` token. A step skipped by earlier answers is not posted."""
    from forms.steps import CHECK, all_steps

    svc = client.application.extensions["mrvrs"]
    definition = svc.forms.definition(form_id, int(svc.forms.summary(form_id)["version"]))
    base = f"/report/{form_id}/{lang}/step"
    for step in all_steps(definition):
        page = client.get(f"{base}/{step}")
        if step == CHECK or page.status_code != 200:
            continue
        client.post(f"{base}/{step}", content_type="multipart/form-data", data={
            **(MINIMAL if data is None else data), "go": "next",
            "csrf_token": csrf_token(page.get_data(as_text=True))})
    return client.get(f"{base}/{CHECK}").get_data(as_text=True)


def submission_token(html: str) -> str:
    """The one-time token of the check page's send button."""
    return re.search(r'name="submission" value="([^"]+)"', html).group(1)
