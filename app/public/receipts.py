"""The receipt page, and the receipt shown again when the same questionnaire is resent.

Thin adapters around `workflows.resubmission` (which case a page's one-time token filed,
and a fresh code for it) and `app.public.receipt_image` (the picture to save). The
receipt is never cached and speaks the reporter's language and direction.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

from flask import g, render_template
from flask_babel import gettext as _

from app.public.receipt_image import receipt_png
from app.public.support import no_store, reporter_of
from app.services import services
from forms.schema import text_direction
from workflows.resubmission import reissue


def receipt_page(reference: str, code: str, lang: str, resent: bool = False):
    """The receipt: reference, code, what the code is for, and ways to keep it; `resent`
    says the report was received once and any code shown before no longer works."""
    direction = text_direction(lang)
    png = receipt_png(reference, code, (_("Case reference"), _("Private tracking code")),
                      direction)
    page = render_template(
        "intake/receipt.html", reference=reference, code=code, lang=lang, direction=direction,
        image=base64.b64encode(png).decode("ascii"), image_name=f"{reference}.png",
        resent=resent)
    return no_store(page)


def resent(token: str, lang: str):
    """The receipt again, with a new code, when this page's token already filed a case;
    a refusal when it did so too long ago; None when it filed nothing (file it now)."""
    svc = services()
    actor = reporter_of(g.get("user"))["user_id"] or "reporter"
    found = reissue(svc.cases, token, now=datetime.now(UTC), actor=actor,
                    window=timedelta(hours=svc.settings.receipt_resend_hours))
    if found is None:
        return None
    if found.code is None:
        page = render_template("intake/resend_expired.html", lang=lang,
                               direction=text_direction(lang),
                               hours=svc.settings.receipt_resend_hours)
        return no_store(page, 409)
    svc.audit.record("case.tracking_reissued", actor=actor, target=found.case_id,
                     reference=found.reference)
    return receipt_page(found.reference, found.code, lang, resent=True)
