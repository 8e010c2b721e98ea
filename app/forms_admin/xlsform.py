"""Upload an XLSForm (KoboToolbox, ODK) and get a country form extending the base form.

The result is saved as the draft of its form and opened in the editor, ready to
check, preview and publish. Every construct that cannot be imported is listed by
sheet and row in the page's language; a fatal one saves nothing.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import Optional, Regexp

from app.forms_admin.editing import require_edit
from app.forms_admin.sheet_messages import detail, place
from app.forms_admin.views import EDITORS, bp
from app.forms_admin.working_copy import import_workbook, save_xlsform
from app.roles import roles_required
from app.services import services
from forms.loader import parse_definition

#: The largest workbook accepted, in bytes.
MAX_UPLOAD = 5 * 1024 * 1024


class XLSFormUpload(FlaskForm):
    workbook = FileField(_l("XLSForm workbook (.xlsx)"),
                         validators=[FileRequired(_l("Choose the XLSForm to upload."))])
    country = StringField(_l("Country code, if the settings sheet has no country column"),
                          validators=[Optional(), Regexp(r"^[A-Za-z]{2}$", message=_l(
                              "Write the two-letter ISO code of the country, such as TH."))])


@bp.route("/import-xlsform", methods=["GET", "POST"])
@roles_required(*EDITORS)
def import_xlsform():
    upload = XLSFormUpload()
    if not upload.is_submitted():
        countries = g.user.get("countries") or []
        upload.country.data = countries[0] if len(countries) == 1 else ""
        return _page(upload)
    if not upload.validate():
        return _page(upload, status=400)
    data = upload.workbook.data.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        abort(413)
    svc = services()
    result = import_workbook(svc.forms, data, upload.country.data or None,
                             upload.workbook.data.filename or "workbook.xlsx")
    problems = [(place(p), detail(p), p.fatal) for p in result.problems]
    if not result.ok:
        return _page(upload, problems=problems, status=400)
    country = parse_definition(result.text or "", "x").data.get("country")
    require_edit(g.user, country)
    latest = svc.forms.latest(result.form_id)
    if latest is not None:
        require_edit(g.user, latest.get("country"))
    save_xlsform(svc.forms, result, g.user["_id"], svc.audit)
    flash(_("The XLSForm was imported as the draft of %(form)s. Check it, preview it in each "
            "language and publish it.", form=result.form_id))
    for where, text, _fatal in problems:
        flash(_("Left out: %(where)s: %(problem)s", where=where, problem=text))
    return redirect(url_for("forms_admin.edit", form_id=result.form_id))


def _page(upload: XLSFormUpload, problems=(), status: int = 200):
    return render_template("forms_admin/xlsform.html", upload=upload,
                           problems=problems), status
