"""Translate a form through a spreadsheet: download the sheet of a language, upload it filled.

The upload is applied to the form's working copy (draft, else the published
version) and saved as its draft, which the editor then checks, previews and
publishes. A sheet with any wrong row changes nothing; its problems are listed by
row in the page's language.
"""

from __future__ import annotations

from io import BytesIO

from flask import abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from app.forms_admin.editing import Posted, language_names, require_edit, written_form
from app.forms_admin.sheet_messages import detail, place
from app.forms_admin.views import EDITORS, bp
from app.forms_admin.working_copy import (
    export_sheet,
    import_sheet,
    languages_of,
    merged_copy,
    save_import,
    working_copy,
)
from app.roles import roles_required
from app.services import services
from forms.sheet_files import FORMATS, MEDIA_TYPES, guess_format
from forms.translation_sheet import missing_count

#: The largest sheet accepted, in bytes (the base form's sheet is about 60 kB).
MAX_UPLOAD = 5 * 1024 * 1024


class UploadForm(FlaskForm):
    sheet = FileField(_l("The filled translation sheet (XLSX or CSV)"),
                      validators=[FileRequired(_l("Choose the filled sheet to upload."))])


def _working(form_id: str):
    """The working copy, its merged form and its languages; 404 and 403 as due."""
    store = services().forms
    copy = working_copy(store, form_id)
    if copy is None:
        abort(404)
    latest = store.latest(form_id)
    country = latest.get("country") if latest else written_form(Posted(copy.text, form_id))[1]
    require_edit(g.user, country)
    merged = merged_copy(store, copy)
    return copy, merged, (languages_of(merged) if merged is not None else [])


@bp.route("/<form_id>/translations", methods=["GET", "POST"])
@roles_required(*EDITORS)
def translations(form_id: str):
    copy, merged, languages = _working(form_id)
    upload = UploadForm()
    problems, status = [], 200
    if request.method == "POST":
        if not upload.validate_on_submit():
            status = 400
        else:
            result = import_sheet(services().forms, copy, merged, _read(upload.sheet.data),
                                  guess_format(upload.sheet.data.filename or ""))
            if result.ok:
                save_import(services().forms, copy, result, g.user["_id"], services().audit)
                flash(_("%(count)s texts in %(language)s changed and saved in the draft of "
                        "%(form)s; %(empty)s rows were left empty. Check and publish it in "
                        "the editor.", count=result.changed, language=result.language,
                        form=form_id, empty=result.untranslated))
                return redirect(url_for("forms_admin.edit", form_id=form_id))
            problems, status = [(place(p), detail(p)) for p in result.problems], 400
    lang = request.args.get("lang")
    lang = lang if lang in languages else (languages[-1] if languages else None)
    missing = missing_count(merged, lang) if merged is not None and lang else 0
    return render_template("forms_admin/translations.html", form_id=form_id, copy=copy,
                           languages=language_names(languages), lang=lang, missing=missing,
                           source=languages[0] if languages else None, upload=upload,
                           problems=problems, formats=FORMATS,
                           readable=merged is not None), status


def _read(storage) -> bytes:
    data = storage.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        abort(413)
    return data


@bp.route("/<form_id>/translations/sheet")
@roles_required(*EDITORS)
def translation_sheet(form_id: str):
    """The sheet of one language as a file; `lang`, `source` and `format` in the query."""
    copy, merged, languages = _working(form_id)
    lang, fmt = request.args.get("lang"), request.args.get("format", "xlsx")
    source = request.args.get("source") or (languages[0] if languages else None)
    if merged is None or lang not in languages or source not in languages \
            or fmt not in FORMATS:
        abort(400)
    data = export_sheet(merged, lang, source, fmt)
    return send_file(BytesIO(data), mimetype=MEDIA_TYPES[fmt], as_attachment=True,
                     download_name=f"{form_id}-{lang}.{fmt}")
