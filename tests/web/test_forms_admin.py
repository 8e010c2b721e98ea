"""The form editor: who may use it, check with every problem, preview in each
language, drafts, publishing with an audit event, and country scoping."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest

from app import roles as r
from tests.helpers import alias_bomb

SA_TITLE = "rights in Saudi Arabia\""
BROKEN = """form: my-intake
extends: mwc-base
country: MY
languages: [en, ms]
title: {en: "Report", ms: "Lapor"}
colour: blue
sections:
  - id: extra
    title: {en: Extra, ms: Tambahan}
    fields:
      - {id: q1, type: slider, label: {en: Q1, ms: S1}}
      - {id: q2, type: text, label: {en: Q2}, show_if: {field: nowhere, equals: true}}
"""


#: A problem in the list, (code, line, where); where it cites a line of the text, it links there.
PROBLEM = re.compile(r'<li class="problem" data-code="(\w+)" data-line="(\d+)">'
                     r'(?:<a href="#line-\d+">)?<code>([^<]+)</code>')
EXPECTED = re.compile(r'name="expected_version" value="(\d+)"')


def source(svc, form_id: str) -> str:
    return svc.forms.latest(form_id)["source"]


def post(auth, url: str, text: str, action: str = "check", **extra):
    return auth.post(url, {"source": text, "action": action, **extra})


def publish(auth, url: str, text: str):
    """Publish as an editor does: ask, read the confirmation page, confirm."""
    asked = post(auth, url, text, "publish")
    found = EXPECTED.search(asked.get_data(as_text=True))
    if found is None:  # refused, or nothing to publish: no confirmation page
        return asked
    return post(auth, url, text, "publish", confirm="yes", expected_version=found[1])


class Inputs(HTMLParser):
    """Collect the ids of visible inputs and the ids labels point at."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[str] = []
        self.labelled: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label" and attrs.get("for"):
            self.labelled.add(attrs["for"])
        elif tag in ("select", "textarea") or (
                tag == "input" and attrs.get("type") not in ("hidden", "submit", "button")):
            self.inputs.append(attrs.get("id") or f"<{tag} {attrs.get('name')}>")


def unlabelled(html: str) -> list[str]:
    parser = Inputs()
    parser.feed(html)
    return [i for i in parser.inputs if i not in parser.labelled]


@pytest.mark.parametrize("url", ["/forms/", "/forms/new", "/forms/my-intake",
                                 "/forms/my-intake/1", "/forms/my-intake/edit"])
def test_anonymous__sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("role", r.ROLES)
def test_roles__only_form_editors_and_coordinators(client, login_as, role):
    login_as(role, countries=["MY"])
    allowed = role in (r.FORM_EDITOR, r.COORDINATOR)
    assert client.get("/forms/").status_code == (200 if allowed else 403)
    assert client.get("/forms/new").status_code == (200 if allowed else 403)
    nav = client.get("/").get_data(as_text=True)
    assert ('data-endpoint="forms_admin.index"' in nav) == allowed


def test_index__lists_published_forms_with_edit_links_for_own_country(client, login_as):
    login_as(r.FORM_EDITOR, countries=["MY"])
    page = client.get("/forms/").get_data(as_text=True)
    for form_id in ("mwc-base", "my-intake", "sa-intake"):
        assert f'data-form="{form_id}"' in page
    assert "/forms/my-intake/edit" in page and "/forms/sa-intake/edit" not in page
    assert "/forms/mwc-base/edit" not in page


def test_index__own_drafts_listed_with_edit_and_translate_links(client, login_as, svc):
    """A form imported or started but never published is found again from the list;
    a draft of another country's form is not shown."""
    svc.forms.save_draft("th-new", "form: th-new\nextends: mwc-base\ncountry: TH\n", "u_x")
    svc.forms.save_draft("my-intake", source(svc, "my-intake") + "\n", "u_x")
    svc.forms.save_draft("sg-new", "form: sg-new\nextends: mwc-base\ncountry: SG\n", "u_x")
    login_as(r.FORM_EDITOR, countries=["TH", "MY"])
    page = client.get("/forms/").get_data(as_text=True)
    drafts = re.findall(r'<tr data-draft="([\w-]+)">(.*?)</tr>', page, re.DOTALL)
    assert [form_id for form_id, _row in drafts] == ["my-intake", "th-new"]
    rows = dict(drafts)
    assert "draft, never published" in rows["th-new"] and "<td>TH</td>" in rows["th-new"]
    assert "draft of a change to version 1" in rows["my-intake"]
    assert '/forms/th-new/edit"' in rows["th-new"]
    assert '/forms/th-new/translations"' in rows["th-new"]
    assert 'href="/forms/import-xlsform"' in page
    assert page.count('class="table-scroll"') == 2


def test_index__no_drafts_no_drafts_table(client, login_as):
    login_as(r.FORM_EDITOR, countries=["MY"])
    page = client.get("/forms/").get_data(as_text=True)
    assert "data-draft=" not in page and 'data-form="my-intake"' in page


def test_check__shows_every_problem_with_its_line_and_keeps_the_text(client, login_as, auth):
    login_as(r.FORM_EDITOR, countries=["MY"])
    response = post(auth, "/forms/my-intake/edit", BROKEN)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    problems = PROBLEM.findall(page)
    assert ("unknown_key", "6", "my-intake.yaml:6 colour") in problems
    assert ("unknown_type", "11", "my-intake.yaml:11 sections[0].fields[0].type") in problems
    assert any(code == "show_if_missing_field" and line == "12" for code, line, _ in problems)
    assert any(code == "missing_translation" for code, *_ in problems)
    assert "colour: blue" in page  # the text stays in the text area
    assert unlabelled(page) == []


def test_check__alias_bomb__refused_at_the_first_alias(client, login_as, auth):
    """A four-level bomb keeps this test cheap even where aliases are expanded; the nine
    levels that took a worker to 3.5 GB are refused the same way (tests/cli, tests/unit)."""
    login_as(r.COORDINATOR)
    response = post(auth, "/forms/new", alias_bomb(4))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    problems = PROBLEM.findall(page)
    assert problems == [("yaml_alias", "3", "definition.yaml:3 a1[0]")], problems


def test_check__clean_definition_says_so(client, login_as, auth, svc):
    login_as(r.FORM_EDITOR, countries=["MY"])
    page = post(auth, "/forms/my-intake/edit", source(svc, "my-intake")).get_data(as_text=True)
    assert "No problems found: the form my-intake has" in page
    assert 'class="problems"' not in page


def test_preview__in_each_language_with_its_direction(client, login_as, auth, svc):
    login_as(r.COORDINATOR)
    text = source(svc, "sa-intake")
    first = post(auth, "/forms/sa-intake/edit", text, "preview").get_data(as_text=True)
    assert '<div class="preview" id="preview" lang="ar" dir="rtl">' in first
    assert 'value="preview:en"' in first and 'value="preview:ar"' in first
    english = post(auth, "/forms/sa-intake/edit", text, "preview:en").get_data(as_text=True)
    assert '<div class="preview" id="preview" lang="en" dir="ltr">' in english
    assert "Kafala (sponsorship)" in english  # a local term shown with its meaning
    assert 'data-show-if-field="preview-sexual_violence"' in english
    assert unlabelled(first) == [] and unlabelled(english) == []
    assert svc.forms.latest("sa-intake")["version"] == 1  # previewing publishes nothing


def test_published_version__readable_with_preview_links(client, login_as):
    login_as(r.COORDINATOR)
    page = client.get("/forms/sa-intake/1?lang=ar").get_data(as_text=True)
    assert 'lang="ar" dir="rtl"' in page and "form: sa-intake" in page
    assert unlabelled(page) == []
    assert client.get("/forms/sa-intake/9").status_code == 404


def test_publish__new_version_audited_and_old_one_still_readable(client, login_as, auth, svc):
    user = login_as(r.COORDINATOR)
    text = source(svc, "sa-intake").replace(SA_TITLE, "rights in Saudi Arabia today\"")
    response = publish(auth, "/forms/sa-intake/edit", text)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/forms/sa-intake/2")
    record = svc.forms.latest("sa-intake")
    assert record["version"] == 2 and record["published_by"] == user["_id"]
    [event] = svc.audit.recent(1, action="form.publish")
    assert event["actor"] == user["_id"] and event["details"]["version"] == 2
    assert "version 2 is published" in client.get("/forms/sa-intake/2").get_data(as_text=True)
    assert "today" not in client.get("/forms/sa-intake/1?lang=en").get_data(as_text=True)


def test_publish__same_content_publishes_nothing(client, login_as, auth, svc):
    login_as(r.COORDINATOR)
    post(auth, "/forms/sa-intake/edit", source(svc, "sa-intake"), "publish")
    assert svc.forms.latest("sa-intake")["version"] == 1
    assert svc.audit.recent(5, action="form.publish") == []


def test_publish__type_change_refused_with_the_reason(client, login_as, auth, svc):
    login_as(r.COORDINATOR)
    text = source(svc, "sa-intake").replace("        type: multichoice\n",
                                            "        type: choice\n", 1)
    response = post(auth, "/forms/sa-intake/edit", text, "publish")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "was published as a multichoice field" in page and "new id" in page
    assert svc.forms.latest("sa-intake")["version"] == 1


def test_publish__with_problems_refused(client, login_as, auth, svc):
    login_as(r.FORM_EDITOR, countries=["MY"])
    response = post(auth, "/forms/my-intake/edit", BROKEN, "publish")
    assert response.status_code == 400 and 'class="problem"' in response.get_data(as_text=True)
    assert svc.forms.latest("my-intake")["version"] == 1


def test_form_editor__publishes_a_form_of_their_country(client, login_as, auth, svc):
    login_as(r.FORM_EDITOR, countries=["MY"])
    text = source(svc, "my-intake").replace("rights in Malaysia\"", "rights in Malaysia now\"")
    assert publish(auth, "/forms/my-intake/edit", text).status_code == 302
    assert svc.forms.latest("my-intake")["version"] == 2


def test_form_editor__another_country_s_form_refused(client, login_as, auth, svc):
    login_as(r.FORM_EDITOR, countries=["MY"])
    response = client.get("/forms/sg-intake/edit")
    assert response.status_code == 403
    assert "This form is for SG; you may edit only the forms of MY." in \
        response.get_data(as_text=True)
    sg = source(svc, "sg-intake")
    assert post(auth, "/forms/new", sg, "publish").status_code == 403
    disguised = sg.replace("country: SG", "country: MY")  # an existing SG form stays SG's
    assert post(auth, "/forms/new", disguised, "publish").status_code == 403
    moved = source(svc, "my-intake").replace("country: MY", "country: SG")
    assert post(auth, "/forms/my-intake/edit", moved, "publish").status_code == 403
    assert svc.forms.latest("sg-intake")["version"] == 1
    assert svc.forms.latest("my-intake")["version"] == 1


def test_form_editor__base_form_is_for_coordinators(client, login_as):
    login_as(r.FORM_EDITOR, countries=["MY"])
    response = client.get("/forms/mwc-base/edit")
    assert response.status_code == 403 and "Only coordinators" in response.get_data(as_text=True)


def test_new_form__checked_and_published_by_its_country_s_editor(client, login_as, auth, svc):
    login_as(r.FORM_EDITOR, countries=["MY"])
    text = source(svc, "my-intake").replace("form: my-intake", "form: my-sabah")
    page = post(auth, "/forms/new", text, "check").get_data(as_text=True)
    assert 'class="check-ok"' in page
    assert publish(auth, "/forms/new", text).headers["Location"].endswith(
        "/forms/my-sabah/1")


def test_upload__replaces_the_text(client, login_as, auth, svc):
    login_as(r.FORM_EDITOR, countries=["MY"])
    upload = (io.BytesIO(BROKEN.encode()), "mine.yaml")
    response = auth.post("/forms/my-intake/edit", {"source": "ignored", "action": "check",
                                                   "upload": upload},
                         page="/forms/my-intake/edit", content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert "<code>mine.yaml:6 colour</code>" in page and "colour: blue" in page


def test_draft__saved_then_offered_in_the_editor(client, login_as, auth, svc):
    login_as(r.FORM_EDITOR, countries=["MY"])
    post(auth, "/forms/my-intake/edit", BROKEN, "save")
    assert svc.forms.draft("my-intake")["text"] == BROKEN
    page = client.get("/forms/my-intake/edit").get_data(as_text=True)
    assert "colour: blue" in page and "draft" in page
    text = source(svc, "my-intake").replace("rights in Malaysia\"", "rights in Malaysia now\"")
    publish(auth, "/forms/my-intake/edit", text)
    assert svc.forms.draft("my-intake") is None


def test_text_of_another_form__refused_in_this_form_s_editor(client, login_as, auth, svc):
    login_as(r.COORDINATOR)
    response = post(auth, "/forms/my-intake/edit", source(svc, "sg-intake"), "publish")
    assert response.status_code == 400 and "this page edits my-intake" in \
        response.get_data(as_text=True)


def test_post_without_csrf_token__refused(client, login_as, svc):
    login_as(r.COORDINATOR)
    response = client.post("/forms/my-intake/edit", data={"source": source(svc, "my-intake"),
                                                          "action": "publish"})
    assert response.status_code == 400
    assert svc.forms.latest("my-intake")["version"] == 1


def test_unknown_form__not_found(client, login_as):
    login_as(r.COORDINATOR)
    assert client.get("/forms/nope/edit").status_code == 404
    assert client.get("/forms/nope").status_code == 404


def test_draft_of_another_country__neither_shown_nor_replaced(client, login_as, auth, svc):
    sg_draft = "form: sg-new\nextends: mwc-base\ncountry: SG\nlanguages: [en]\n"
    svc.forms.save_draft("sg-new", sg_draft, "u_sg_editor")
    login_as(r.FORM_EDITOR, countries=["MY"])
    assert client.get("/forms/sg-new/edit").status_code == 403
    takeover = sg_draft.replace("country: SG", "country: MY")
    assert post(auth, "/forms/new", takeover, "save").status_code == 403
    assert svc.forms.draft("sg-new")["text"] == sg_draft
