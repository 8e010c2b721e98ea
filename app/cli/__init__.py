"""The `mrvrs` command: run the web app, the worker and the scheduler, and administer."""

from __future__ import annotations

import logging
import os
import secrets
import tempfile

import click
from flask import Flask

from app.cli.audit_commands import audit
from app.cli.export_commands import EXPORT_COMMANDS
from app.cli.form_commands import forms, publish_shipped_forms
from app.cli.import_commands import cases
from app.cli.key_commands import rotate_data
from app.cli.migrate_commands import migrate
from app.cli.registry_commands import registry
from config.settings import SettingsError, load_settings, variable_names


def _build_app() -> Flask:
    from app import create_app
    from workflows.workflow_config import WorkflowConfigError

    try:
        settings = load_settings(os.environ)
        app = create_app(settings)
    except (SettingsError, WorkflowConfigError) as exc:
        raise click.ClickException(str(exc)) from None
    context = click.get_current_context(silent=True)
    if context is not None:
        context.call_on_close(app.extensions["mrvrs"].db.client.close)
    return app


def _services(app: Flask):
    return app.extensions["mrvrs"]


@click.group(help="MRVRS, the Migrants' Rights Violations Reporting System.\n\n"
                  "Configured by environment variables: " + ", ".join(variable_names()))
def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")


@main.command(help="Serve the web app (development server; use gunicorn in production).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--demo", is_flag=True,
              help="Seed demo organisations, one user per role and 300 generated cases.")
def run(host: str, port: int, demo: bool) -> None:
    app = _prepared_app()
    if demo:
        with app.app_context():
            _seed_demo(app, _services(app))
    if _services(app).settings.embedded:  # no beat can reach the in-process store
        from workflows.local_beat import start_local_beat

        start_local_beat(_services(app).celery)
    # Access logs would keep reporters' addresses: anonymous reports keep none.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    click.echo(f"MRVRS on http://{host}:{port}/")
    app.run(host=host, port=port, use_reloader=False, debug=False)


def _seed_demo(app: Flask, svc) -> None:
    from app.demo import seed_accounts

    accounts = seed_accounts(svc)
    filed = _seed_demo_cases(svc)
    if filed:
        click.echo(f"Demo cases: {filed} generated cases filed and moved through review")
    if accounts:
        click.echo("Demo accounts (passwords are for this run only):")
        for account in accounts:
            click.echo(f"  {account.email:<28} {'/'.join(account.roles):<22} {account.password}")


def _prepared_app() -> Flask:
    """The app with its indexes, a first administrator and the shipped forms in place."""
    app = _build_app()
    svc = _services(app)
    _init_db_or_fail(svc)
    with app.app_context():
        _bootstrap_admin(svc)
        publish_shipped_forms(svc)
        _seed_routing(svc)
    return app


def _seed_routing(svc) -> None:
    """A database without routing gets the seed file as version 1; later starts keep the
    versions saved on the admin pages."""
    version = svc.seed_routing()
    if version is not None:
        svc.audit.record("routing.seed", actor="system", target=f"routing:{version['_id']}",
                         version=version["_id"], changes=len(version["changes"]))
        click.echo(f"imported the routing seed file as routing version {version['_id']}")


def _seed_demo_cases(svc) -> int:
    from app.demo_cases import seed_cases

    if svc.cases.cases.estimated_document_count():
        return 0
    coordinator = svc.users.by_email("coordinator@demo.mrvrs")
    member = svc.users.by_email("member@demo.mrvrs")
    actor = {"id": coordinator["_id"], "roles": coordinator["roles"],
             "org_id": coordinator.get("org_id"), "countries": coordinator.get("countries", [])}
    return seed_cases(svc, actor, member.get("org_id") if member else None)


def _init_db_or_fail(svc) -> None:
    from pymongo.errors import PyMongoError

    try:
        svc.ensure_indexes()
    except PyMongoError as exc:
        raise click.ClickException(f"cannot reach the database: {exc}") from None


def _bootstrap_admin(svc) -> None:
    """On the very first start, create an administrator and print its password once."""
    if svc.users.count():
        return
    password = secrets.token_urlsafe(12)
    user = svc.users.create(svc.settings.bootstrap_admin_email, password, ["admin"],
                            name="Administrator")
    svc.audit.record("user.bootstrap_admin", actor="system", target=user["_id"],
                     email=user["email"])
    click.echo(f"First start: created administrator {user['email']} with password {password}")
    click.echo("Sign in and change this password.")


@main.command(help="Start a Celery worker that runs routing, sweeps and export jobs.")
@click.option("--concurrency", default=2, show_default=True, type=int)
@click.option("--loglevel", default="INFO", show_default=True)
def worker(concurrency: int, loglevel: str) -> None:
    celery = _services(_build_app()).celery
    if celery.conf.task_always_eager:
        raise click.ClickException("MRVRS_BROKER_URL is not set: tasks run inside the web "
                                   "process, so there is nothing for a worker to do")
    celery.worker_main(["worker", f"--loglevel={loglevel}", f"--concurrency={concurrency}",
                        "--without-gossip", "--without-mingle"])


@main.command(help="Start the Celery beat scheduler for the periodic sweeps.")
@click.option("--loglevel", default="INFO", show_default=True)
def beat(loglevel: str) -> None:
    celery = _services(_build_app()).celery
    if celery.conf.task_always_eager:
        raise click.ClickException("MRVRS_BROKER_URL is not set: beat needs a broker")
    schedule = os.path.join(tempfile.gettempdir(), "mrvrs-beat-schedule")
    celery.start(["beat", f"--loglevel={loglevel}", f"--schedule={schedule}"])


@main.group(help="Database maintenance.")
def db() -> None:
    pass


@db.command("init", help="Create every collection's indexes (safe to run again).")
def db_init() -> None:
    _prepared_app()
    click.echo("indexes are in place")


@main.group(help="User accounts.")
def users() -> None:
    pass


@users.command("create", help="Create a user; prints a generated password unless given one.")
@click.option("--email", required=True)
@click.option("--role", "roles", required=True, multiple=True,
              help="reporter, member, form_editor, reviewer, coordinator, mission or admin; "
                   "repeat for several")
@click.option("--org", default=None, help="organisation name (created if --org-country is given)")
@click.option("--org-country", default=None, help="country code for a new organisation")
@click.option("--country", "countries", multiple=True, help="country a reviewer or mission covers")
@click.option("--name", default="")
@click.option("--password", default=None, help="initial password (default: generated)")
def users_create(email, roles, org, org_country, countries, name, password) -> None:
    from app.stores import AccountError

    app = _build_app()
    svc = _services(app)
    try:
        org_id = _organisation_id(svc, org, org_country)
        secret = password or secrets.token_urlsafe(12)
        user = svc.users.create(email, secret, list(roles), name=name, org_id=org_id,
                                countries=list(countries))
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    svc.audit.record("user.create", actor="cli", target=user["_id"], email=user["email"],
                     roles=user["roles"])
    click.echo(f"created {user['email']} ({', '.join(user['roles'])})")
    if not password:
        click.echo(f"password: {secret}")


def _organisation_id(svc, name: str | None, country: str | None) -> str | None:
    from app.stores import AccountError

    if not name:
        return None
    org = svc.organisations.by_name(name)
    if org:
        return org["_id"]
    if not country:
        raise AccountError(f"No organisation called {name!r}; add --org-country to create it.")
    return svc.organisations.create(name, country)["_id"]


@main.group(help="Keys.")
def keys() -> None:
    pass


@keys.command("generate", help="Print a new MRVRS_SECRET_KEY, MRVRS_DATA_KEY and "
                               "MRVRS_AUDIT_KEY.")
def keys_generate() -> None:
    from cryptography.fernet import Fernet

    click.echo(f"MRVRS_SECRET_KEY={secrets.token_urlsafe(32)}")
    click.echo(f"MRVRS_DATA_KEY={Fernet.generate_key().decode()}")
    click.echo(f"MRVRS_AUDIT_KEY={secrets.token_urlsafe(32)}")


keys.add_command(rotate_data)
db.add_command(migrate)
main.add_command(forms)
main.add_command(audit)
main.add_command(registry)
main.add_command(cases)
for _command in EXPORT_COMMANDS:  # mrvrs export, mrvrs report
    main.add_command(_command)
