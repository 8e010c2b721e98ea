"""Quick exit: the button on every public page (and Escape pressed twice outside a
text field, app/static/quick-exit.js) erases what this device holds of a report.

Registered on the intake blueprint by `app.public.questionnaire`.
"""

from __future__ import annotations

from flask import g, redirect, session

from app.public import drafting
from app.public import status as status_page
from app.public.support import no_store, public
from app.services import services


@public
def leave():
    """Quick exit: erase this device's drafts and session, then go to an outside page.

    A signed-in account stays signed in: signing out takes a form post with its
    CSRF token, and a link any page can open must not end someone's sign-in. Its
    drafts and remembered submissions are erased all the same.
    """
    drafting.forget_all()
    status_page.end_grant()
    if g.get("user"):
        session.pop("lang", None)
    else:
        session.clear()
    response = redirect(services().settings.quick_exit_url, 303)
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return no_store(response, 303)


def register(bp) -> None:
    bp.add_url_rule("/leave", "leave", leave)
