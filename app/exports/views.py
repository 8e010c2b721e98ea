"""Exports for missions, coordinators and reviewers: the export form, jobs and downloads.

Thin adapters over `exports.service`: the form is checked here, the export runs
there. A small export (at most `MRVRS_EXPORT_SYNC_MAX_ROWS` cases, counted first)
is written and downloaded at once; a larger one becomes a Celery job with a
progress page and a download link that works for the requester only (404 for
anyone else). Every export is an audit event. A request carrying an operator-like
parameter (`country[$ne]=x`) is refused before anything is read. The indicators
page and the mission report form live in `app.exports.indicators` on the same blueprint.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import roles as r
from app.audit.display import People, detail_lines
from app.exports.forms import ExportForm
from app.extensions import view_policy
from app.navigation import NavEntry, register
from app.public.support import forbid_caching
from app.roles import roles_required
from app.services import services
from exports.filters import FilterError, parse_filter
from exports.redaction import EXPORT_ROLES, Level, allowed_levels
from exports.reports import HTML_MEDIA_TYPE, STYLE_HASH
from exports.service import ExportRequest, count_cases, run_export
from exports.tasks import enqueue_job
from workflows.scope import teams_covering

bp = Blueprint("exports", __name__, url_prefix="/exports")
bp.after_request(forbid_caching)  # export files, reports and indicator pages of case data

#: Who may use the export pages; the scope rule then decides which cases.
EXPORT_PAGE_ROLES = (r.MISSION, r.COORDINATOR, r.REVIEWER)
#: The audit actions of exports and reports, listed for coordinators.
AUDIT_ACTIONS = ("export.created", "export.requested", "export.completed", "export.failed",
                 "export.downloaded", "report.requested", "report.completed", "report.failed",
                 "report.downloaded", "report.viewed")
SPOOL_BYTES = 8 * 1024 * 1024
#: A report shown in the browser: its one style block (by hash) and its charts (data
#: URIs), nothing else; sandboxed, so even a script that got in could not run or reach
#: the app's origin.
REPORT_VIEW_POLICY = {
    "default-src": "'none'",
    "style-src": STYLE_HASH,
    "img-src": "data:",
    "base-uri": "'none'",
    "form-action": "'none'",
    "frame-ancestors": "'none'",
    "sandbox": "",
}

register(NavEntry("exports.index", _l("Exports"), EXPORT_PAGE_ROLES))
register(NavEntry("exports.indicators", _l("Indicators"), EXPORT_PAGE_ROLES))


def export_actor(user: dict[str, Any]) -> dict[str, Any]:
    """The actor whose scope an export reads: the user's own roles that may export."""
    countries = list(user.get("countries") or ())
    return {"id": user["_id"], "roles": [x for x in user.get("roles", ()) if x in EXPORT_ROLES],
            "org_id": user.get("org_id"), "countries": countries,
            "teams": teams_covering(countries, services().workflow.rules.teams)}


def levels_for(user: dict[str, Any]) -> list[str]:
    allowed = allowed_levels(export_actor(user)["roles"], services().settings.export_full_roles)
    return [level.value for level in Level if level in allowed]


def refuse_operators() -> None:
    """No parameter name or value may look like a query operator: refuse, read nothing."""
    for key, value in request.values.items(multi=True):
        if "$" in key or "[" in key or (isinstance(value, str) and value.startswith("$")):
            abort(400)


def check_level_or_403(wanted: str | None, user: dict[str, Any]) -> None:
    """A level the user may not have is forbidden (403), not merely an invalid choice."""
    if wanted in {level.value for level in Level} and wanted not in levels_for(user):
        abort(403)


def record(action: str, target: str | None, **details: Any) -> None:
    services().audit.record(action, actor=g.user["_id"], target=target, **details)


@bp.route("/", methods=["GET", "POST"])
@roles_required(*EXPORT_PAGE_ROLES)
def index():
    refuse_operators()
    check_level_or_403(request.form.get("level"), g.user)
    form = ExportForm().setup(levels_for(g.user))
    status = 200
    if form.validate_on_submit():
        try:
            wanted = ExportRequest(parse_filter(form.to_params()), form.fmt.data,
                                   form.level.data, form.purpose.data, _lang(),
                                   bool(form.bom.data), bool(form.unverified.data))
        except FilterError as exc:
            form.date_to.errors = [*form.date_to.errors, *exc.problems]
        else:
            return _export(wanted)
        status = 400
    elif form.is_submitted():
        status = 400
    jobs = services().export_jobs.recent_for(g.user["_id"])
    return render_template("exports/index.html", form=form, jobs=jobs), status


def _lang() -> str:
    from app.i18n import current_language

    return current_language()


def _export(wanted: ExportRequest):
    svc = services()
    actor = export_actor(g.user)
    total = count_cases(svc.cases, actor, wanted)
    if total > svc.settings.export_sync_max_rows:
        return start_job("export", actor, wanted.params(), wanted.describe(), total)
    out = tempfile.SpooledTemporaryFile(SPOOL_BYTES)  # noqa: SIM115  (the response closes it)
    result = run_export(svc.cases, svc.forms, svc.sealer, actor, wanted, out,
                        full_roles=svc.settings.export_full_roles, entities=svc.entities)
    record("export.created", None, **wanted.describe(), **result.summary())
    name = f"mrvrs-export-{datetime.now(UTC):%Y%m%d-%H%M}{result.suffix}"
    return Response(_chunks(out), mimetype=result.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _chunks(out: Any, size: int = 64 * 1024) -> Any:
    """Stream the written file, closing it when sent (or when the client goes away)."""
    with out:
        out.seek(0)
        while block := out.read(size):
            yield block


def start_job(kind: str, actor: dict[str, Any], params: dict[str, Any],
               described: dict[str, Any], total: int = 0):
    """Create the job, record the request, send the task; then show its progress page."""
    svc = services()
    job = svc.export_jobs.create(kind=kind, user_id=g.user["_id"], actor=actor, params=params,
                                 now=datetime.now(UTC), total=total)
    record(f"{kind}.requested", job["_id"], **described, matched=total)
    try:
        enqueue_job(svc.celery, job)
    except Exception:  # noqa: BLE001  (any broker failure: say so instead of waiting)
        svc.export_jobs.fail(job["_id"], 0, "the task queue is unavailable", datetime.now(UTC))
        flash(_("The job could not be started because the task queue is unavailable. "
                "Please try again later."))
    return redirect(url_for("exports.job", job_id=job["_id"]))


@bp.route("/jobs/<job_id>")
@roles_required(*EXPORT_PAGE_ROLES)
def job(job_id: str):
    found = services().export_jobs.for_user(job_id, g.user["_id"])
    if found is None:
        abort(404)
    return render_template("exports/job.html", job=found, html_type=HTML_MEDIA_TYPE,
                           running=found["status"] in ("queued", "running"))


@bp.route("/jobs/<job_id>/files/<name>")
@roles_required(*EXPORT_PAGE_ROLES)
def download(job_id: str, name: str):
    svc = services()
    opened = svc.export_jobs.open_file(job_id, name, g.user["_id"], datetime.now(UTC))
    if opened is None:
        abort(404)
    meta, stream = opened
    kind = (svc.export_jobs.get(job_id) or {}).get("kind", "export")
    record(f"{kind}.downloaded", job_id, file=meta["filename"], size=meta["size"])
    headers = {"Content-Disposition": f'attachment; filename="{meta["filename"]}"',
               "Content-Length": str(meta["size"])}
    return Response(iter(stream), mimetype=meta["media_type"], headers=headers)


@bp.route("/jobs/<job_id>/files/<name>/view")
@view_policy(content_security_policy=REPORT_VIEW_POLICY)
@roles_required(*EXPORT_PAGE_ROLES)
def view(job_id: str, name: str):
    """An HTML report opened in the browser (served inline); any other file is not shown."""
    svc = services()
    opened = svc.export_jobs.open_file(job_id, name, g.user["_id"], datetime.now(UTC))
    if opened is None or opened[0]["media_type"] != HTML_MEDIA_TYPE:
        abort(404)
    meta, stream = opened
    record("report.viewed", job_id, file=meta["filename"], size=meta["size"])
    headers = {"Content-Disposition": f'inline; filename="{meta["filename"]}"',
               "Content-Length": str(meta["size"])}
    return Response(iter(stream), mimetype=HTML_MEDIA_TYPE, headers=headers)


@bp.route("/audit")
@roles_required(r.COORDINATOR)
def audit():
    """Every export and report event, newest first."""
    svc = services()
    events = sorted((e for action in AUDIT_ACTIONS for e in svc.audit.recent(500, action=action)),
                    key=lambda e: e["seq"], reverse=True)[:500]
    return render_template("exports/audit.html", events=events,
                           people=People.of(events, svc.users.emails_for),
                           detail_lines=detail_lines)


# The indicators page and the report form (imported last: they use the helpers above).
from app.exports import indicators  # noqa: F401
