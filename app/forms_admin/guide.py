"""The format guide (docs/forms.md) inside the app, one click from the editor.

The Markdown is the same file the repository keeps in docs/; the package carries
it as `format_guide.md` (see pyproject's package-data). Raw HTML in it is not
rendered, so the page needs no sanitiser.
"""

from __future__ import annotations

import functools
from importlib import resources

from flask import render_template
from markdown_it import MarkdownIt
from markupsafe import Markup
from mdit_py_plugins.anchors import anchors_plugin

from app.forms_admin.views import EDITORS, bp
from app.roles import roles_required


@functools.cache
def guide_html() -> Markup:
    text = resources.files("app.forms_admin").joinpath("format_guide.md").read_text("utf-8")
    # Headings get the ids GitHub gives them, so the guide's own contents links work here.
    renderer = MarkdownIt("commonmark", {"html": False}).enable("table").use(
        anchors_plugin, min_level=1, max_level=4)
    return Markup(renderer.render(text))  # noqa: S704  (html=False: no raw HTML passes)


@bp.route("/guide")
@roles_required(*EDITORS)
def guide():
    return render_template("forms_admin/guide.html", guide=guide_html())
