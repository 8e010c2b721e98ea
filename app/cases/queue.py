"""The case screens for reviewers, coordinators and member staff: queues and notifications.

Thin adapters over `workflows.queue.list_cases` and the notification store. The
queue filters are a GET form, checked here and again by the queue, so a request
value reaches the database only as a checked plain value. Pages follow a keyset
cursor (`after`), never a page number. The case page and its actions live in
`app.cases.views`, registered on the same blueprint.

Mission members read pseudonymised cases through exports (a later area), never
these screens: they get 403 here.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from werkzeug.datastructures import MultiDict

from app import roles as r
from app.cases.display import priority_label
from app.cases.forms import STAGE_LABELS, MarkReadForm, QueueFilterForm, options
from app.cases.support import actor_of, people_names, workflow_notifications
from app.navigation import NavEntry, register
from app.public.support import forbid_caching
from app.roles import roles_required
from app.services import services
from exports.bidi_text import isolate
from forms.dimensions import load_dimensions
from workflows.queue import GENDERS, PRIORITIES, QueryError, list_cases

bp = Blueprint("cases", __name__, url_prefix="/cases")
bp.after_request(forbid_caching)  # every page here, downloads included, carries case data
#: `{{ text|isolate }}`: text others typed, kept from reordering the page (exports.bidi_text).
bp.add_app_template_filter(isolate, "isolate")

#: Who may open the case screens at all; the scope rule then decides which cases.
CASE_ROLES = (r.MEMBER, r.REPORTER, r.REVIEWER, r.COORDINATOR)
PAGE_SIZE = 25

QUEUE_LABELS = {
    "mine": _l("Assigned to me"),
    "team": _l("Open cases"),
    "unassigned": _l("Unassigned"),
    "urgent": _l("Urgent"),
    "overdue": _l("Overdue"),
    "waiting": _l("Waiting for our answer"),
    "all": _l("All cases, including finished ones"),
}
CASEWORKER_QUEUES = ("mine", "team", "unassigned", "urgent", "overdue", "all")
MEMBER_QUEUES = ("team", "waiting", "all")
#: Screen-only queues: a workflow queue with a fixed stage.
ALIASES = {"waiting": ("team", "needs_info")}
FILTER_FIELDS = ("country", "stage", "mwc", "gender", "priority", "date_from", "date_to", "text")

register(NavEntry("cases.queue", _l("Cases"), (r.MEMBER, r.REVIEWER, r.COORDINATOR)))
register(NavEntry("cases.notifications", _l("Notifications"), CASE_ROLES))

# The case page and its actions (imported for their routes on `bp`).
from app.cases import entity_links, handover, questions, views  # noqa: F401


def queues_for(user: dict) -> list[str]:
    """Caseworkers work queues; member staff and reporters follow their own cases."""
    if r.has_role(user, r.REVIEWER, r.COORDINATOR):
        return list(CASEWORKER_QUEUES)
    return list(MEMBER_QUEUES)


def _filter_form(user: dict) -> QueueFilterForm:
    queues = queues_for(user)
    args = MultiDict(request.args)
    if args.get("queue") is None:
        args["queue"] = "team"
    form = QueueFilterForm(args)
    form.queue.choices = options((q, QUEUE_LABELS[q]) for q in queues)
    form.stage.choices = options([("", _l("any")), *STAGE_LABELS.items()])
    gender = load_dimensions().get("gender")
    form.gender.choices = options([("", _l("any")), *((v, _label(gender.labels.get(v), v))
                                                       for v in GENDERS)])
    form.sort.choices = options([("received", _l("Newest received first")),
                                 ("due", _l("Soonest deadline first"))])
    form.priority.choices = options([("", _l("any")),
                                     *((p, priority_label(p)) for p in PRIORITIES)])
    return form


def _label(labels: dict | None, value: str) -> str:
    from app.i18n import current_language

    labels = labels or {}
    return labels.get(current_language()) or labels.get("en") or value


def _filters(form: QueueFilterForm) -> tuple[str, dict]:
    """The workflow queue and the checked filter values, as plain text."""
    queue, stage = ALIASES.get(form.queue.data, (form.queue.data, None))
    values = {name: getattr(form, name).data for name in FILTER_FIELDS}
    values = {k: (v.isoformat() if hasattr(v, "isoformat") else str(v))
              for k, v in values.items() if v not in (None, "")}
    if stage:
        values["stage"] = stage
    if form.overdue.data:
        values["overdue"] = "yes"
    return queue, values


def next_deadline(row: dict) -> datetime | None:
    """What falls due first on a case: its stage deadline or a follow-up action."""
    dates = [d for d in (row.get("due_at"), row.get("follow_up_due_at"))
             if isinstance(d, datetime)]
    return min(dates) if dates else None


def due_phrase(due: datetime | None, now: datetime) -> tuple[str, bool]:
    """("due in 2 days" | "overdue by 3 days" | "due today", overdue?) in whole days."""
    if due is None:
        return "", False
    if due.tzinfo is None:  # the embedded store may hand back naive UTC
        due = due.replace(tzinfo=UTC)
    days = (due.date() - now.date()).days
    if due <= now:
        late = max(1, -days)
        return ngettext("overdue by %(num)d day", "overdue by %(num)d days", late), True
    if days == 0:
        return _("due today"), False
    return ngettext("due in %(num)d day", "due in %(num)d days", days), False


@bp.route("/")
@roles_required(*CASE_ROLES)
def queue():
    user = g.user
    form = _filter_form(user)
    page, status = None, 200
    if form.validate():
        queue_name, filters = _filters(form)
        try:
            page = list_cases(services().cases, actor_of(user), queue_name, filters,
                              request.args.get("after") or None, PAGE_SIZE,
                              sort=form.sort.data or "received")
        except QueryError as exc:
            target = getattr(form, exc.field, None) or form.queue
            target.errors = [*target.errors, _("This value cannot be used: %(why)s",
                                                why=exc.message)]
            status = 400
    else:
        status = 400
    rows = page.items if page else []
    now = datetime.now(UTC)
    return render_template(
        "cases/queue.html", form=form, rows=rows, stage_labels=STAGE_LABELS,
        due={row["_id"]: due_phrase(next_deadline(row), now) for row in rows},
        queue_label=QUEUE_LABELS.get(form.queue.data, ""),
        names=people_names(row.get("assignee") for row in rows),
        next_url=_next_url(page.next_after) if page and page.next_after else None,
        first_url=_next_url(None) if request.args.get("after") else None,
        unread=_unread(user)), status


def _next_url(after: str | None) -> str:
    args = {k: v for k, v in request.args.items() if k != "after"}
    if after:
        args["after"] = after
    return url_for("cases.queue", **args)


def _unread(user: dict) -> int:
    store = workflow_notifications()
    return store.unread_count(user["_id"]) if store is not None else 0


@bp.route("/notifications")
@roles_required(*CASE_ROLES)
def notifications():
    store = workflow_notifications()
    items = store.for_user(g.user["_id"]) if store is not None else []
    return render_template("cases/notifications.html", items=items,
                           read_form=MarkReadForm(prefix="read"))


@bp.route("/notifications/read", methods=["POST"])
@roles_required(*CASE_ROLES)
def mark_read():
    """Mark one notification read, or every unread one when none is named."""
    form = MarkReadForm(prefix="read")
    store = workflow_notifications()
    if form.validate_on_submit() and store is not None:
        wanted = [form.notification.data] if form.notification.data else [
            n["_id"] for n in store.for_user(g.user["_id"], unread_only=True)]
        for notification_id in wanted:
            store.mark_read(g.user["_id"], notification_id)
        flash(_("Marked as read."))
    return redirect(url_for("cases.notifications"))
