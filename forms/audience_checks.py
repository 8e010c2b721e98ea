"""Checks of `audience: staff`: a question for staff must fit both views of the form.

The reporters' view (`forms.audience.for_reporters`) drops every question for staff,
and staff answer theirs on the case page with a form of those questions alone. So no
item of the reporters' view may wait on a staff answer, a staff question may wait only
on another staff question, it may not hide in a section shown on a reporter's answer,
it cannot ask for consent, which only the person gives, and it cannot be a file
question (the case page takes files as evidence, not as answers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from forms.errors import ProblemCode
from forms.vocabulary import STAFF

if TYPE_CHECKING:
    from forms.validation import Context


def _for_staff(item: dict[str, Any]) -> bool:
    return item.get("audience") == STAFF


def check_audience(ctx: Context) -> None:
    staff = {f["id"] for _, f in ctx.fields() if _for_staff(f) and isinstance(f.get("id"), str)}
    _check_conditions(ctx, staff)
    for spath, section in ctx.sections():
        conditional = isinstance(section.get("show_if"), dict)
        for fpath, field in ctx.fields():
            if fpath[:2] == spath and _for_staff(field) and conditional:
                ctx.report(ProblemCode.STAFF_IN_CONDITIONAL_SECTION, (*fpath, "audience"),
                           field=field.get("id"))
    for path, field in ctx.fields():
        if _for_staff(field) and "consent" in field:
            ctx.report(ProblemCode.STAFF_CONSENT, (*path, "consent"))
        if _for_staff(field) and field.get("type") == "file":
            ctx.report(ProblemCode.STAFF_FILE, (*path, "type"))


def _check_conditions(ctx: Context, staff: set[str]) -> None:
    known = ctx.fields_by_id()
    for path, item in list(ctx.sections()) + list(ctx.fields()):
        condition = item.get("show_if")
        target = condition.get("field") if isinstance(condition, dict) else None
        if not isinstance(target, str) or target not in known:
            continue  # a missing or malformed target is reported by check_show_if
        if _for_staff(item) and target not in staff:
            ctx.report(ProblemCode.STAFF_DEPENDS_ON_REPORTER, (*path, "show_if", "field"),
                       field=target)
        elif not _for_staff(item) and target in staff:
            ctx.report(ProblemCode.STAFF_CONDITION, (*path, "show_if", "field"), field=target)
