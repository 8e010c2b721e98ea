"""Generated answers pass the same validation as a person's, on every shipped form."""

import random

import pytest

from forms.sample_answers import sample_answers
from forms.store import shipped_definitions
from forms.wtf import build_form_class

COUNTRY_FORMS = [(form_id, definition) for form_id, definition, *_ in shipped_definitions()
                 if definition is not None and definition.country]


@pytest.mark.parametrize(("form_id", "definition"), COUNTRY_FORMS, ids=[f for f, _ in COUNTRY_FORMS])
def test_sample_answers__valid_in_every_language(form_id, definition):
    for lang in definition.languages:
        form_class = build_form_class(definition, lang)
        for seed in range(15):
            form = form_class.from_json(sample_answers(definition, random.Random(seed)))
            assert form.validate(), (form_id, lang, seed, form.errors, form.form_errors)


def test_sample_answers__same_seed_same_answers():
    _form_id, definition = COUNTRY_FORMS[0]
    assert sample_answers(definition, random.Random(7)) == sample_answers(definition,
                                                                          random.Random(7))
