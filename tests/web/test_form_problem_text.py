"""The form checker's problems are shown in the editor's language: every problem code
has its English template marked for translation in app/forms_admin/problem_text.py."""

from __future__ import annotations

from flask_babel import force_locale

from app.forms_admin.problem_text import TEMPLATES, problem_detail
from forms.errors import Problem, ProblemCode


def test_every_problem_code__listed_with_its_current_english_text(app):
    with app.test_request_context(), force_locale("en"):
        listed = {key: str(text) for key, text in TEMPLATES.items()}
    wrong = {code.key for code in ProblemCode if listed.get(code.key) != code.template}
    assert wrong == set(), (
        "copy the new or changed template of forms/errors.py into "
        "app/forms_admin/problem_text.py")


def test_problem_detail__english_filled_like_the_checker(app):
    problem = Problem(ProblemCode.MISSING_PARENT, "x.yaml", 2, ("extends",),
                      {"parent": "nothing-here", "hint": ""})
    with app.test_request_context(), force_locale("en"):
        assert problem_detail(problem) == problem.detail
