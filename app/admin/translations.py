"""The catalogues that still need a native speaker's review, and the notice staff see.

Routes and the context processor register on the `admin` blueprint (imported at the
end of app/admin/views.py).
"""

from __future__ import annotations

from flask import g, render_template
from flask_babel import lazy_gettext as _l

from app import navigation
from app import roles as r
from app.admin.views import bp
from app.i18n import current_language, native_name
from app.roles import roles_required
from app.translation_review import (
    FOLDERS,
    catalogue_folders,
    catalogue_state,
    folder_of,
    needs_review,
    reviews,
)
from config.settings import SUPPORTED_UI_LANGUAGES

navigation.register(navigation.NavEntry("admin.translations", _l("Translations"),
                                        (r.ADMIN, r.COORDINATOR)))

#: A malformed review file stops the app at start, not at a staff member's first page.
bp.record_once(lambda _state: reviews())


def _tag_of(folder: str) -> str:
    tags = {folder_of(t): t for t in SUPPORTED_UI_LANGUAGES}
    return tags.get(folder) or {v: k for k, v in FOLDERS.items()}.get(folder, folder)


@bp.route("/translations")
@roles_required(r.ADMIN, r.COORDINATOR)
def translations():
    states = []
    for folder in catalogue_folders():
        tag = _tag_of(folder)
        states.append({"folder": folder, "tag": tag, "name": native_name(tag),
                       "state": catalogue_state(folder)})
    return render_template("admin/translations.html",
                           pending=[s for s in states if not s["state"].review.reviewed],
                           reviewed=[s for s in states if s["state"].review.reviewed])


@bp.app_context_processor
def translation_review_context() -> dict:
    """Staff pages in a catalogue not yet reviewed say so (reporters' pages do not)."""
    user = g.get("user")
    staff = user is not None and user.get("roles") not in (None, [], [r.REPORTER])
    return {"translation_needs_review": staff and needs_review(current_language())}
