"""The home page, the language switch and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request, session

from app.auth import safe_next
from app.services import services
from config.database import ping
from config.settings import SUPPORTED_UI_LANGUAGES
from workflows.celery_app import broker_problem

bp = Blueprint("main", __name__)


@bp.app_context_processor
def store_notice() -> dict:
    return {"embedded_store": services().settings.embedded}


@bp.route("/")
def index():
    return render_template("main/index.html")


@bp.route("/language", methods=["GET"])
def choose_language():
    """Works from a plain link or a form without JavaScript; changes nothing stored."""
    tag = request.args.get("lang", "")
    if tag in SUPPORTED_UI_LANGUAGES:
        session["lang"] = tag
    return redirect(safe_next(request.args.get("next")))


@bp.route("/healthz")
def healthz():
    svc = services()
    db_problem = ping(svc.db)
    queue_problem = broker_problem(svc.celery)
    body = {
        "status": "ok" if not (db_problem or queue_problem) else "unavailable",
        "database": {"state": "down" if db_problem else "ok",
                     "kind": "embedded" if svc.settings.embedded else "mongodb"},
        "broker": {"state": "down" if queue_problem else
                   ("eager" if svc.settings.eager_tasks else "ok")},
    }
    if db_problem:
        body["database"]["error"] = db_problem
    if queue_problem:
        body["broker"]["error"] = queue_problem
    return jsonify(body), 503 if (db_problem or queue_problem) else 200
