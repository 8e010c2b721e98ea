"""Error pages and JSON errors: one table from error to status and plain message.

No page shows a stack trace; the log keeps it. Database failures become a 503
that says nothing was saved, since every write is a single guarded update.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from pymongo.errors import PyMongoError
from werkzeug.exceptions import HTTPException

log = logging.getLogger("mrvrs")

MESSAGES = {
    400: _l("The request could not be understood. Please go back and try again."),
    401: _l("Please sign in first."),
    403: _l("You do not have permission to see this page."),
    404: _l("There is nothing at this address."),
    405: _l("This address does not accept that kind of request."),
    409: _l("Someone else changed this at the same time. Reload to see the current state."),
    413: _l("What you sent is too large. Attach smaller files or fewer of them."),
    429: _l("Too many attempts in a short time. Please wait a minute and try again."),
    500: _l("Something went wrong on our side, and what you sent may not have been saved. "
            "Please try again in a few minutes."),
    503: _l("The database is unavailable right now, so nothing was saved. "
            "Please try again in a few minutes."),
}

CSRF_MESSAGE = _l("This form expired or was not sent from this site. "
                  "Reload the page and send it again.")


def wants_json() -> bool:
    return request.blueprint == "api" or request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json"
    )


def error_response(status: int, message: object = None) -> Response:
    message = str(message or MESSAGES.get(status, MESSAGES[500]))
    if wants_json():
        body = jsonify({"error": {"status": status, "message": message}})
    else:
        body = render_template("errors/error.html", status=status, message=message)
    return make_response(body, status)


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return error_response(400, CSRF_MESSAGE)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        if status in (301, 302, 303, 307, 308):
            return exc
        custom = exc.description if getattr(exc, "mrvrs_message", False) else None
        response = error_response(status, custom)
        if status == 429:
            response.headers["Retry-After"] = "60"
        return response

    @app.errorhandler(PyMongoError)
    def database_error(exc: PyMongoError):
        log.error("database failure on %s %s: %s", request.method, request.path, exc)
        return error_response(503)

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500)
