"""Structured pages of the form editor: each task saves into the form's draft (the one
the YAML editor opens), refuses bad input with every problem and saves nothing, is for
the editors of the form's country only, posts with CSRF, and is audited."""

from __future__ import annotations

import re

import pytest

from app import roles as r
from tests.web.test_forms_admin import publish, unlabelled

TASK_PAGES = ["/forms/my-intake/tasks", "/forms/my-intake/tasks/terms/new",
              "/forms/my-intake/tasks/terms/levy", "/forms/my-intake/tasks/choice",
              "/forms/my-intake/tasks/label", "/forms/my-intake/tasks/hide",
              "/forms/my-intake/draft/preview"]


def working_text(svc, form_id="my-intake") -> str:
    draft = svc.forms.draft(form_id)
    return draft["text"] if draft else svc.forms.latest(form_id)["source"]


def audited(svc) -> list[dict]:
    return svc.audit.recent(10, action="form.draft_edit")


@pytest.mark.parametrize("url", TASK_PAGES)
def test_pages__for_editors_of_the_country_only(client, login_as, url):
    login_as(r.FORM_EDITOR, countries=["SG"])
    assert client.get(url).status_code == 403
    client.get("/auth/logout")
    login_as(r.MEMBER, countries=["MY"])
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", TASK_PAGES)
def test_pages__every_input_labelled(client, login_as, url):
    login_as(r.FORM_EDITOR, countries=["MY"])
    response = client.get(url)
    assert response.status_code == 200
    assert unlabelled(response.get_data(as_text=True)) == []


def test_tasks__lists_terms_with_articles_and_where_they_appear(client, login_as):
    login_as(r.FORM_EDITOR, countries=["MY"])
    page = client.get("/forms/my-intake/tasks").get_data(as_text=True)
    row = re.search(r'<tr data-term="passport_retention">.*?</tr>', page, re.DOTALL).group(0)
    assert "MWC-21:" in row and "passport_held_by" in row
    assert "/forms/my-intake/tasks/choice" in page and "/forms/my-intake/tasks/hide" in page
    assert 'class="check-ok"' in page
    assert "forms_admin.translations" not in page  # guarded until that page exists


def test_add_term__saved_in_draft_audited_and_warned_as_unused(client, login_as, auth, svc):
    user = login_as(r.FORM_EDITOR, countries=["MY"])
    before = working_text(svc)
    response = auth.post("/forms/my-intake/tasks/terms/new", {
        "id": "majikan", "label_en": "Employer", "label_ms": "Majikan",
        "help_en": "Who employs the worker", "help_ms": "Yang menggaji", "mwc": ["21", "25"]},
        page="/forms/my-intake/tasks/terms/new")
    assert response.status_code == 302
    text = working_text(svc)
    assert "  - id: majikan\n    mwc: [21, 25]\n" in text
    assert before.splitlines()[0] in text  # the comments at the top stay
    [event] = audited(svc)
    assert event["actor"] == user["_id"] and event["details"]["task"] == "add_term"
    page = client.get("/forms/my-intake/tasks").get_data(as_text=True)
    assert 'class="warning" data-code="unused_term"' in page
    editor = client.get("/forms/my-intake/edit").get_data(as_text=True)
    assert "majikan" in editor  # the YAML editor opens the same draft


def test_add_term__bad_input_every_problem_nothing_saved(client, login_as, auth, svc):
    login_as(r.FORM_EDITOR, countries=["MY"])
    response = auth.post("/forms/my-intake/tasks/terms/new", {
        "id": "Bad Id", "label_en": "Employer", "label_ms": "", "mwc": []},
        page="/forms/my-intake/tasks/terms/new")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert page.count('class="edit-problem"') == 3  # id, Malay label, no article
    assert "cannot be an id" in page and "Choose at least one MWC article" in page
    assert svc.forms.draft("my-intake") is None and audited(svc) == []


def test_post_without_csrf__refused(client, login_as, svc):
    login_as(r.FORM_EDITOR, countries=["MY"])
    response = client.post("/forms/my-intake/tasks/hide", data={"question": "employer_name"})
    assert response.status_code == 400
    assert svc.forms.draft("my-intake") is None


def test_change_term__rename_map_and_show_beside_a_question(client, login_as, auth, svc):
    login_as(r.FORM_EDITOR, countries=["MY"])
    url = "/forms/my-intake/tasks/terms/levy"
    form = client.get(url).get_data(as_text=True)
    assert 'value="Levi"' in form
    assert '<input checked id="mwc-38" name="mwc" type="checkbox" value="48">' in form
    response = auth.post(url, {"label_en": "Levy (foreign worker levy)", "label_ms": "Levi",
                               "mwc": ["25"], "question": "rest_days"}, page=url)
    assert response.status_code == 302
    text = working_text(svc)
    assert 'label: {en: "Levy (foreign worker levy)", ms: "Levi"}' in text
    assert "mwc: [25]\n" in text
    assert "    terms: [employment_act, levy]" in text
    assert audited(svc)[0]["details"]["item"] == "levy"


def test_add_choice__inherited_question_in_override(client, login_as, auth, svc):
    login_as(r.FORM_EDITOR, countries=["MY"])
    response = auth.post("/forms/my-intake/tasks/choice", {
        "question": "passport_held_by", "value": "friend", "label_en": "A friend",
        "label_ms": "Kawan", "mwc": ["21"], "term": "passport_retention"},
        page="/forms/my-intake/tasks/choice")
    assert response.status_code == 302
    assert ("{value: friend, mwc: [21], term: passport_retention, label: {en: \"A friend\", "
            "ms: \"Kawan\"}}") in working_text(svc)


def test_add_choice__duplicate_value_refused(client, login_as, auth, svc):
    login_as(r.FORM_EDITOR, countries=["MY"])
    response = auth.post("/forms/my-intake/tasks/choice", {
        "question": "passport_held_by", "value": "employer", "label_en": "x", "label_ms": ""},
        page="/forms/my-intake/tasks/choice")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "already has a choice" in page and "The text in ms is missing" in page
    assert svc.forms.draft("my-intake") is None


def test_change_label__choice_of_own_question(client, login_as, auth, svc):
    login_as(r.FORM_EDITOR, countries=["MY"])
    response = auth.post("/forms/my-intake/tasks/label", {
        "target": "my_situation=none", "lang": "en", "text": "Nothing of this"},
        page="/forms/my-intake/tasks/label")
    assert response.status_code == 302
    assert '{value: none, label: {en: "Nothing of this", ms: "Tiada yang berkenaan"}}' \
        in working_text(svc)


def test_hide__refuses_what_must_stay_with_the_reason(client, login_as, auth, svc):
    login_as(r.FORM_EDITOR, countries=["MY"])
    page = client.get("/forms/my-intake/tasks/hide").get_data(as_text=True)
    assert 'value="employer_name"' in page and 'value="gender"' not in page
    assert "every indicator is split by it" in page
    response = auth.post("/forms/my-intake/tasks/hide", {"question": "gender"},
                         page="/forms/my-intake/tasks/hide")
    assert response.status_code == 400 and "cannot be hidden" in response.get_data(as_text=True)
    response = auth.post("/forms/my-intake/tasks/hide", {"question": "employer_name"},
                         page="/forms/my-intake/tasks/hide")
    assert response.status_code == 302
    assert working_text(svc).endswith("remove: [employer_name]\n")


def test_draft_preview__shows_terms_beside_their_questions(client, login_as, auth, svc):
    login_as(r.FORM_EDITOR, countries=["MY"])
    auth.post("/forms/my-intake/tasks/terms/new", {
        "id": "majikan", "label_en": "Majikan (employer)", "label_ms": "Majikan",
        "help_en": "The person who employs", "help_ms": "Orang yang menggaji", "mwc": ["21"]},
        page="/forms/my-intake/tasks/terms/new")
    auth.post("/forms/my-intake/tasks/terms/majikan", {
        "label_en": "Majikan (employer)", "label_ms": "Majikan", "mwc": ["21"],
        "question": "employer_name"}, page="/forms/my-intake/tasks/terms/majikan")
    page = client.get("/forms/my-intake/draft/preview?lang=en").get_data(as_text=True)
    question = re.search(r'data-question="employer_name".*?</div>', page, re.DOTALL).group(0)
    assert '<dt data-term="majikan">Majikan (employer)</dt><dd>The person who employs</dd>' \
        in question
    assert 'class="warning"' not in client.get("/forms/my-intake/tasks").get_data(as_text=True)


def test_published_version_preview__terms_beside_questions(client, login_as):
    login_as(r.COORDINATOR)
    page = client.get("/forms/my-intake/1?lang=en").get_data(as_text=True)
    question = re.search(r'data-question="passport_held_by".*?</fieldset>', page, re.DOTALL).group(0)
    assert '<dt data-term="passport_retention">' in question


def test_yaml_editor__shows_unused_term_warning_and_still_publishes(client, login_as, auth, svc):
    login_as(r.FORM_EDITOR, countries=["MY"])
    text = svc.forms.latest("my-intake")["source"].replace("term: act_446, ", "")
    page = auth.post("/forms/my-intake/edit", {"source": text, "action": "check"},
                     page="/forms/my-intake/edit").get_data(as_text=True)
    assert 'class="warning" data-code="unused_term"' in page and "act_446" in page
    assert 'class="check-ok"' in page
    response = publish(auth, "/forms/my-intake/edit", text)
    assert response.status_code == 302 and svc.forms.latest("my-intake")["version"] == 2


def test_tasks_page__links_the_translation_spreadsheets(client, login_as):
    login_as(r.FORM_EDITOR, countries=["MY"])
    page = client.get("/forms/my-intake/tasks").get_data(as_text=True)
    assert 'href="/forms/my-intake/translations"' in page


def test_unreadable_draft__edits_refused_with_the_reason(client, login_as, auth, svc):
    login_as(r.FORM_EDITOR, countries=["MY"])
    broken = svc.forms.latest("my-intake")["source"] + "colour: [blue\n"
    svc.forms.save_draft("my-intake", broken, "someone")
    response = auth.post("/forms/my-intake/tasks/hide", {"question": "employer_name"},
                         page="/forms/my-intake/tasks/hide")
    assert response.status_code == 400
    assert "Fix it in the YAML editor first" in response.get_data(as_text=True)
    assert svc.forms.draft("my-intake")["text"] == broken


def test_draft_with_problems__tasks_still_offered_and_usable(client, login_as, auth, svc):
    """A missing translation in the draft must not hide the questions from these pages."""
    login_as(r.FORM_EDITOR, countries=["MY"])
    text = svc.forms.latest("my-intake")["source"].replace(
        ', ms: "Levi"}', "}", 1)
    svc.forms.save_draft("my-intake", text, "someone")
    page = client.get("/forms/my-intake/tasks").get_data(as_text=True)
    assert 'data-code="missing_translation"' in page and 'data-term="levy"' in page
    response = auth.post("/forms/my-intake/tasks/hide", {"question": "employer_name"},
                         page="/forms/my-intake/tasks/hide")
    assert response.status_code == 302
    assert working_text(svc).endswith("remove: [employer_name]\n")


# -- the form's texts in the editor's language -------------------------------------------


def test_tasks__term_labels_in_the_viewers_language__marked__ids_as_code(client, login_as):
    """The term's label is in the viewer's language where the form has it, else in the
    form's default language; either way it says which language it is in."""
    login_as(r.FORM_EDITOR, countries=["MY"])
    client.get("/language?lang=ms")
    page = client.get("/forms/my-intake/tasks").get_data(as_text=True)
    row = re.search(r'<tr data-term="passport_retention">.*?</tr>', page, re.DOTALL).group(0)
    assert '<li><code>passport_held_by</code></li>' in row
    levy = re.search(r'<tr data-term="levy">.*?</tr>', page, re.DOTALL).group(0)
    assert '<span lang="ms" dir="ltr">Levi</span> <code>levy</code>' in levy
    client.get("/language?lang=ar")
    page = client.get("/forms/my-intake/tasks").get_data(as_text=True)
    levy = re.search(r'<tr data-term="levy">.*?</tr>', page, re.DOTALL).group(0)
    assert '<span lang="en" dir="ltr">Levy</span> <code>levy</code>' in levy


def test_task_forms__question_labels_in_the_viewers_language_with_their_key(client, login_as):
    """The base form has Arabic labels: an Arabic-reading editor of the Malaysian form
    picks questions by them, right to left, each with the id it has in the YAML."""
    login_as(r.FORM_EDITOR, countries=["MY"])
    client.get("/language?lang=ar")
    option = ('<option dir="rtl" lang="ar" value="passport_held_by">'
              "من يحتفظ بجواز سفر الشخص الآن؟ (passport_held_by)</option>")
    for url in ("/forms/my-intake/tasks/choice", "/forms/my-intake/tasks/hide",
                "/forms/my-intake/tasks/terms/levy", "/forms/my-intake/tasks/label"):
        assert option in client.get(url).get_data(as_text=True), url
    label_page = client.get("/forms/my-intake/tasks/label").get_data(as_text=True)
    # The Malaysian form rewrites this question's choices in English and Malay only.
    assert ('<option dir="ltr" lang="en" value="passport_held_by=employer">'
            "\u2003\u2013 The employer (passport_held_by=employer)</option>") in label_page
    assert '<option lang="ms" value="ms">Melayu</option>' in label_page
    choice_page = client.get("/forms/my-intake/tasks/choice").get_data(as_text=True)
    assert '<option dir="ltr" lang="en" value="levy">Levy (levy)</option>' in choice_page


def test_hide__questions_that_stay__label_marked_and_id_as_code(client, login_as):
    login_as(r.FORM_EDITOR, countries=["MY"])
    client.get("/language?lang=ar")
    page = client.get("/forms/my-intake/tasks/hide").get_data(as_text=True)
    assert ('<li><span lang="ar" dir="rtl">النوع الاجتماعي كما يصفه الشخص نفسه</span> '
            "<code>gender</code>: ") in page


def test_term_form__each_language_named_in_the_viewers_language(client, login_as):
    login_as(r.FORM_EDITOR, countries=["MY"])
    page = client.get("/forms/my-intake/tasks/terms/new").get_data(as_text=True)
    assert '<label for="label_ms">Term in Malay</label>' in page
    assert '<label for="help_en">What it means in English</label>' in page
