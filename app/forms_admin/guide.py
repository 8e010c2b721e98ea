"""The format guide (docs/forms.md) inside the app, one click from the editor.

The Markdown is the same file the repository keeps in docs/; the package carries
it as `format_guide.md` (see pyproject's package-data). Raw HTML in it is not
rendered, so the page needs no sanitiser. Its tables are wider than a phone: each sits
in a scrolling box named by the heading above it, as the app's other tables do.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from importlib import resources
from typing import Any

from flask import render_template
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup, escape
from mdit_py_plugins.anchors import anchors_plugin

from app.forms_admin.views import EDITORS, bp
from app.roles import roles_required


@functools.cache
def guide_html() -> Markup:
    text = resources.files("app.forms_admin").joinpath("format_guide.md").read_text("utf-8")
    # Headings get the ids GitHub gives them, so the guide's own contents links work here.
    renderer = MarkdownIt("commonmark", {"html": False}).enable("table").use(
        anchors_plugin, min_level=1, max_level=4)
    renderer.add_render_rule("table_open", _scrolling_table_open)
    renderer.add_render_rule("table_close", _scrolling_table_close)
    return Markup(renderer.render(text))  # html=False: no raw HTML passes


def _scrolling_table_open(self: Any, tokens: Sequence[Token], idx: int, options: Any,
                          env: Any) -> str:
    heading = next((t.attrGet("id") for t in reversed(tokens[:idx])
                    if t.type == "heading_open" and t.attrGet("id")), None)
    named = f' aria-labelledby="{escape(heading)}"' if heading else ""
    return (f'<div class="table-scroll" role="region" tabindex="0"{named}>\n'
            + self.renderToken(tokens, idx, options, env))


def _scrolling_table_close(self: Any, tokens: Sequence[Token], idx: int, options: Any,
                           env: Any) -> str:
    return self.renderToken(tokens, idx, options, env) + "</div>\n"


@bp.route("/guide")
@roles_required(*EDITORS)
def guide():
    return render_template("forms_admin/guide.html", guide=guide_html())
