"""The Flask application factory.

`create_app` reads settings once (from the environment unless given), connects
the database, builds the Celery app and registers one blueprint per user area.
"""

from __future__ import annotations

import logging
import os
from datetime import timedelta

from flask import Flask
from pymongo.database import Database
from pymongo.errors import PyMongoError

from config.database import connect
from config.settings import Settings, load_settings

log = logging.getLogger("mrvrs")

EMBEDDED_NOTICE = "demo store: data is not kept after exit"


def create_app(settings: Settings | None = None, database: Database | None = None) -> Flask:
    settings = settings or load_settings(os.environ)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.request_max_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.production,
        SESSION_COOKIE_NAME="mrvrs_session",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
        WTF_CSRF_TIME_LIMIT=8 * 3600,
        TESTING=settings.env == "test",
    )
    _trust_proxies(app, settings.trusted_proxies)
    db = database if database is not None else connect(settings)
    _init_services(app, settings, db)
    _init_extensions(app)
    _register_blueprints(app)
    _announce(settings)
    return app


def _trust_proxies(app: Flask, hops: int) -> None:
    """Take the client address, scheme, host and port from the proxies in front, if any.

    Each trusted proxy appends what it saw to the X-Forwarded-* headers, so only the
    last `hops` entries are believed; anything a client wrote before them is ignored.
    Without this, behind a proxy every client has the proxy's address (one shared
    rate-limit bucket) and the scheme is http.
    """
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,
                                x_port=hops)


def _init_services(app: Flask, settings: Settings, db: Database) -> None:
    from app.services import Services
    from workflows.celery_app import make_celery

    celery = make_celery(settings, database=db if settings.eager_tasks else None)
    services = Services.build(settings, db, celery)
    app.extensions["mrvrs"] = services
    try:
        services.ensure_indexes()
    except PyMongoError as exc:
        log.error("could not create indexes (run `mrvrs db init` once the database is up): %s",
                  exc)
    if settings.embedded:
        _publish_shipped_forms(services)
        services.seed_routing()  # like the forms: a real database gets it in `db init`


def _publish_shipped_forms(services) -> None:
    """The embedded store starts empty on every run; a real one gets them in `db init`."""
    report = services.forms.publish_shipped()
    for form_id, problems in report.problems.items():
        log.error("the shipped form %s was not published: %s", form_id, "; ".join(problems))


def _init_extensions(app: Flask) -> None:
    from app import errors, extensions, i18n, navigation

    extensions.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    navigation.init_app(app)


#: Modules of `app` exposing a blueprint `bp`, one per user area, in registration order.
BLUEPRINT_MODULES = ["main", "auth", "account", "admin.views", "api", "public.questionnaire",
                     "cases.queue", "forms_admin.views", "api.forms", "exports.views",
                     "registry.views", "imports.views"]


def _register_blueprints(app: Flask) -> None:
    import importlib

    from app import extensions

    for name in BLUEPRINT_MODULES:
        app.register_blueprint(importlib.import_module(f"app.{name}").bp)
    extensions.apply_rate_limits(app)


def _announce(settings: Settings) -> None:
    if settings.embedded:
        log.warning("MRVRS is running on the embedded store (%s)", EMBEDDED_NOTICE)
    for name in settings.generated_keys:
        log.warning("%s is not set: a key was generated for this run only; sessions and "
                    "encrypted data will not survive a restart", name)
