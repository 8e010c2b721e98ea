"""Which translation of a form text a case page shows: the viewer's, else the form's
default language's, else the reporter's; each with the language it is in."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from app.cases.display import LabelLanguages, Text, language_name
from app.i18n import file_size
from forms.schema import FormDefinition


def _form(languages):
    return FormDefinition.from_dict({"form": "x", "title": {"en": "X"}, "languages": languages,
                                     "sections": []})


@pytest.mark.parametrize(("texts", "expected"), [
    ({"vi": "Tên", "en": "Name", "ms": "Nama"}, Text("Tên", "vi", "ltr")),
    ({"en": "Name", "ms": "Nama"}, Text("Name", "en", "ltr")),      # the form's default
    ({"ms": "Nama", "ar": "الاسم"}, Text("Nama", "ms", "ltr")),      # the reporter's
    ({"ar": "الاسم"}, Text("الاسم", "ar", "rtl")),                   # whatever there is
])
def test_label__viewer_then_form_default_then_reporter(texts, expected):
    labels = LabelLanguages(_form(["en", "ms"]), viewer="vi", reporter="ms")
    assert labels.text(texts) == expected


def test_language_name__in_the_viewers_language():
    assert language_name("ar", "en") == "Arabic"
    assert language_name("ms", "ms") == "Melayu"
    assert language_name("not-a-tag", "en") == "not-a-tag"


@pytest.mark.parametrize(("size", "english"), [(41, "41 bytes"), (2_500, "2.5 kB"),
                                               (3_200_000, "3.2 MB")])
def test_file_size__words_of_the_interface(app, size, english):
    with app.test_request_context(), force_locale("en"):
        assert file_size(size) == english
