"""Import pages: upload a sheet (and a ZIP of attachments), match its columns to a form
version's questions, check it (a dry run), import it as a background job, follow it.

Thin adapters over `workflows.case_import` and `workflows.import_jobs`: the rows are
checked there, by the form class intake uses, and filed there, all or nothing. Staff
of a member organisation (form editors included) import into their own organisation;
a coordinator (the regional secretariat) chooses the organisation the cases are from. A job's pages answer
the account that uploaded it only (404 for anyone else, as for no job).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import roles as r
from app.navigation import NavEntry, register
from app.public.support import forbid_caching
from app.roles import roles_required
from app.services import services
from forms.spreadsheets import UnreadableSheet, read_table
from workflows.case_import import (
    ATTACHMENTS,
    MAX_ROWS,
    REFERENCE,
    SKIP,
    UNREADABLE,
    RowProblem,
    question_labels,
    suggested_map,
)
from workflows.import_jobs import check_job

bp = Blueprint("imports", __name__, url_prefix="/imports")
bp.after_request(forbid_caching)  # pages of case data

#: Who may import: member organisation staff (form editors are members too) and coordinators.
IMPORT_ROLES = (r.MEMBER, r.COORDINATOR)
#: Longest sheet checked while the page waits (about five seconds); a longer one is
#: checked by a background job, with progress.
SYNC_CHECK_ROWS = 1_000
#: Problems shown on one page; the count says how many there are in all.
SHOWN_PROBLEMS = 500
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

register(NavEntry("imports.index", _l("Import cases"), IMPORT_ROLES))


def _lang() -> str:
    return str(get_locale() or "en")


def _forms() -> list[tuple[str, str]]:
    """(FORM@VERSION, its title in the page's language and version) of each country's
    latest published form; a base form without a country files no case."""
    lang, found = _lang(), []
    for record in services().forms.list_latest():
        if not record.get("country"):
            continue
        titles = record.get("title") or {}
        title = titles.get(lang) or next(iter(titles.values()), record["form_id"])
        found.append((f"{record['form_id']}@{record['version']}",
                      _("%(title)s (%(country)s, version %(version)s)", title=title,
                        country=record["country"], version=record["version"])))
    return found


@bp.route("/", methods=["GET", "POST"])
@roles_required(*IMPORT_ROLES)
def index():
    svc = services()
    coordinator = r.COORDINATOR in g.user.get("roles", ())
    organisations = svc.organisations.all() if coordinator else []
    org_id = g.user.get("org_id")
    error = None
    if request.method == "POST":
        if coordinator:
            chosen = svc.organisations.get(request.form.get("org", "")[:100])
            org_id = chosen["_id"] if chosen else None
        job_id, error = _upload(svc, org_id) if org_id else (
            None, _("Choose the organisation the cases are from."))
        if job_id is not None:
            return redirect(url_for("imports.job", job_id=job_id))
    jobs = svc.import_jobs.recent_for(g.user["_id"])
    return render_template("imports/index.html", forms=_forms(), jobs=jobs, org_id=org_id,
                           organisations=organisations, error=error,
                           max_rows=MAX_ROWS), 400 if error else 200


def _upload(svc: Any, org_id: str) -> tuple[str | None, str | None]:
    """Keep the uploads as a draft job: (its id, None), or (None, the page's sentence
    saying why they cannot be kept)."""
    form_id, _sep, version = request.form.get("form", "").partition("@")
    summary = svc.forms.summary(form_id[:100], version) if version.isdigit() else None
    sheet = request.files.get("sheet")
    if summary is None or not summary.get("country"):
        return None, _("Choose a form.")
    data = sheet.read() if sheet else b""
    if not data:
        return None, _("Choose the spreadsheet to import.")
    try:
        read_table(data, max_rows=MAX_ROWS + 1)
    except UnreadableSheet as exc:
        return None, RowProblem(0, "", UNREADABLE.get(exc.code, UNREADABLE["empty"]),
                                exc.params).text(_)
    archive = request.files.get("archive")
    archive_data = archive.read() if archive else b""
    job = svc.import_jobs.create(
        user_id=g.user["_id"], org_id=org_id,
        form={"id": form_id, "version": int(summary["version"])},
        filename=(sheet.filename or "sheet")[:200], sheet=data, archive=archive_data or None,
        archive_name=(archive.filename or "") if archive_data else "", now=datetime.now(UTC))
    return job["_id"], None


@bp.route("/template")
@roles_required(*IMPORT_ROLES)
def template():
    """The template spreadsheet of a form version, labels in the page's language."""
    from workflows.import_template import template_xlsx

    svc = services()
    form_id, _sep, version = request.args.get("form", "").partition("@")
    summary = svc.forms.summary(form_id[:100], version) if version.isdigit() else None
    if summary is None:
        abort(404)
    definition = svc.forms.definition(form_id, summary["version"])
    notes = {"required": _("required"), "choices": _("codes"),
             "reference": _("Your own reference of the case (optional, recommended)."),
             "attachments": _("File names in the ZIP archive, separated by ;")}
    data = template_xlsx(definition, _lang(), notes=notes)
    name = f"mrvrs-import-{form_id}-{summary['version']}.xlsx"
    return Response(data, mimetype=XLSX_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/<job_id>", methods=["GET", "POST"])
@roles_required(*IMPORT_ROLES)
def job(job_id: str):
    svc = services()
    found = svc.import_jobs.for_user(job_id, g.user["_id"])
    if found is None:
        abort(404)
    if found["status"] != "draft":
        return _job_page(found)
    return _mapping_page(svc, found)


def _mapping_page(svc: Any, found: dict[str, Any]):
    ctx = svc.import_context()
    definition, _record = ctx.definition_of(found["form"]["id"], found["form"]["version"])
    sheet, _archive = svc.import_jobs.uploads(found["_id"])
    header, rows = _shape(sheet)
    columns = found["columns"] or suggested_map(header, definition, _lang())
    checked_rows, problems = None, None
    if request.method == "POST":
        columns = {title: request.form.get(f"column-{i}", SKIP)
                   for i, title in enumerate(header)}
        svc.import_jobs.set_columns(found["_id"], columns)
        action = request.form.get("action")
        if action == "import" or (action == "check" and rows > SYNC_CHECK_ROWS):
            return _start(svc, found, columns, dry_run=action == "check")
        check, _archive_read = check_job(ctx, found, columns)
        checked_rows, problems = len(check.rows), check.all_problems()
    elif (found.get("last_check") or {}).get("columns") == columns:
        last = found["last_check"]
        checked_rows = last["rows"]
        problems = [RowProblem.from_dict(p) for p in last["problems"]]
    labels = question_labels(definition, _lang())
    targets = [(SKIP, _("Not imported")), (REFERENCE, _("Original reference")),
               (ATTACHMENTS, _("Attachment file names")),
               *((key, f"{label} ({key})") for key, label in labels.items())]
    count = (found.get("last_check") or {}).get("problem_count", len(problems or [])) \
        if request.method == "GET" else len(problems or [])
    return render_template("imports/mapping.html", job=found, header=header, columns=columns,
                           targets=targets, checked_rows=checked_rows,
                           problems=(problems or [])[:SHOWN_PROBLEMS], problem_count=count,
                           text=_problem_text,
                           form_title=definition.title.get(_lang()) or definition.id)


def _shape(sheet: bytes) -> tuple[list[str], int]:
    """The column titles of the sheet and how many rows are under them."""
    from forms.spreadsheets import cell_text

    try:
        table = read_table(sheet, max_rows=MAX_ROWS + 1)
    except UnreadableSheet:
        return [], 0
    return [t for t in (cell_text(c) for c in table.header) if t], len(table.rows) - 1


def _start(svc: Any, found: dict[str, Any], columns: dict[str, str], *, dry_run: bool):
    """Queue the import (or, `dry_run`, the check of a long sheet) as a background job."""
    from workflows.import_tasks import IMPORT_TASK

    if not svc.import_jobs.queue(found["_id"], columns, datetime.now(UTC), dry_run=dry_run):
        return redirect(url_for("imports.job", job_id=found["_id"]))
    if not dry_run:
        svc.audit.record("cases.import_requested", actor=g.user["_id"], target=found["_id"],
                         file=found["file"],
                         form=f"{found['form']['id']}@{found['form']['version']}")
    runs = svc.import_jobs.get(found["_id"]).get("runs", 0)
    try:
        import workflows.import_tasks  # noqa: F401  (registers the task with every Celery app)

        svc.celery.tasks[IMPORT_TASK].apply_async(
            args=[found["_id"]], task_id=f"import:{found['_id']}:{runs}", retry=False,
            ignore_result=True)
    except Exception:  # noqa: BLE001  (any broker failure: say so instead of waiting)
        if dry_run:
            svc.import_jobs.unqueue(found["_id"])
        else:
            svc.import_jobs.fail(found["_id"], "the task queue is unavailable",
                                 datetime.now(UTC))
        flash(_("The import could not be started because the task queue is unavailable. "
                "Please try again later."))
    return redirect(url_for("imports.job", job_id=found["_id"]))


def _job_page(found: dict[str, Any]):
    problems = [RowProblem.from_dict(p) for p in found.get("problems") or []]
    return render_template("imports/job.html", job=found, problems=problems[:SHOWN_PROBLEMS],
                           text=_problem_text,
                           running=found["status"] in ("queued", "running"))


def _problem_text(problem: RowProblem) -> str:
    """The problem's sentence in the page's language."""
    return problem.text(_)
