"""The stores and clients one app instance uses, built once by the factory."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import timedelta

from celery import Celery
from flask import current_app
from pymongo.database import Database

from app.audit import AuditKeys, AuditLog
from app.passwords import Passwords
from app.public.status_access import CodeHolds, StatusGrants
from app.stores import OrganisationStore, TokenStore, UserStore
from config.settings import Settings
from exports.jobs import ExportJobStore
from forms.approvals import ApprovalStore
from forms.store import FormStore
from workflows.assembly import build_workflow, identity_secret, mail_sender, routing_provider
from workflows.attachments import AttachmentStore
from workflows.case_service import CaseService
from workflows.drafts import DraftStore
from workflows.import_jobs import ImportContext, ImportJobStore, import_context
from workflows.intake import enqueue_routing
from workflows.notifications import NotificationStore
from workflows.registry.service import RegistryService
from workflows.registry.store import EntityStore
from workflows.reporter_messages import ReporterChannel
from workflows.repository import CaseRepository
from workflows.routing_provider import RoutingProvider
from workflows.routing_store import RoutingStore
from workflows.sealing import Sealer
from workflows.workflow_config import PACKAGED, load_workflow_config, read_seed


@dataclass
class Services:
    settings: Settings
    db: Database
    celery: Celery
    users: UserStore
    organisations: OrganisationStore
    tokens: TokenStore
    audit: AuditLog
    cases: CaseRepository
    sealer: Sealer
    attachments: AttachmentStore
    forms: FormStore
    export_jobs: ExportJobStore
    workflow: CaseService = field(init=False)
    notifications: NotificationStore = field(init=False)
    reporter: ReporterChannel = field(init=False)
    code_holds: CodeHolds = field(init=False)
    status_grants: StatusGrants = field(init=False)
    drafts: DraftStore = field(init=False)
    routing: RoutingProvider = field(init=False)
    approvals: ApprovalStore = field(init=False)
    entities: EntityStore = field(init=False)
    registry: RegistryService = field(init=False)
    import_jobs: ImportJobStore = field(init=False)

    def __post_init__(self) -> None:
        """Stage graphs and the seed routing rules are read here, once: a bad file stops
        start-up. The routing rules in force are the database's (`self.routing`)."""
        config = load_workflow_config(self.settings)
        self.workflow_config = config
        self.celery.mrvrs_workflow_config = config  # the worker's tasks use the same
        self.routing = routing_provider(self.settings, self.db, config)
        self.celery.mrvrs_routing = self.routing  # eager tasks share it (same database)
        # export jobs audit through the app's log, sealed with the same key
        self.celery.mrvrs_audit_factory = functools.partial(AuditLog, keys=self.audit.keys)
        parts = build_workflow(self.settings, self.db, config,
                               enqueue_mail=mail_sender(self.celery), secret=self.identity_secret,
                               routing=self.routing)
        self.workflow, self.notifications = parts.service, parts.notifications
        self.reporter = ReporterChannel(self.workflow, self.sealer, self.attachments)
        self.code_holds = CodeHolds(self.db, self.settings.secret_key.encode())
        self.status_grants = StatusGrants(self.db)
        self.drafts = DraftStore(self.db, self.sealer,
                                 timedelta(hours=self.settings.draft_lifetime_hours))
        self.approvals = ApprovalStore(self.db)
        self.entities = EntityStore(self.db)
        self.registry = RegistryService(self.entities, self.cases)
        self.import_jobs = ImportJobStore(self.db)

    @classmethod
    def build(cls, settings: Settings, db: Database, celery: Celery) -> Services:
        passwords = Passwords(for_tests=settings.env == "test")
        return cls(settings=settings, db=db, celery=celery, users=UserStore(db, passwords),
                   organisations=OrganisationStore(db), tokens=TokenStore(db),
                   audit=AuditLog(db, AuditKeys(settings.audit_keys)), cases=CaseRepository(db),
                   sealer=Sealer(*settings.data_keys),
                   attachments=AttachmentStore(db, max_bytes=settings.upload_max_bytes,
                                               max_files=settings.upload_max_files),
                   forms=FormStore(db), export_jobs=ExportJobStore(db))

    def stores(self) -> list:
        """Every store that owns indexes, from every package."""
        return [self.users, self.organisations, self.tokens, self.audit, self.cases,
                self.attachments, self.forms, self.notifications, self.export_jobs,
                self.code_holds, self.status_grants, self.drafts, self.entities,
                self.import_jobs]

    @property
    def routing_store(self) -> RoutingStore:
        return self.routing.store

    def seed_routing(self, actor: str = "system") -> dict | None:
        """Import the seed routing file as version 1 of an empty database (`db init`, and
        every start of the embedded store); returns the version made, or None."""
        seed = self.settings.routing_file or str(PACKAGED / "routing.yaml")
        version = self.routing_store.seed(read_seed(seed), actor)
        self.routing.invalidate()
        return version

    def import_context(self) -> ImportContext:
        """What an import run or check needs, on this database (workflows/import_jobs.py)."""
        return import_context(self.settings, self.db,
                              enqueue=functools.partial(enqueue_routing, self.celery),
                              audit=self.audit.record)

    @property
    def identity_secret(self) -> bytes:
        """The key of the duplicate-key hashes (see `workflows.assembly.identity_secret`)."""
        return identity_secret(self.settings)

    def ensure_indexes(self) -> None:
        for store in self.stores():
            store.ensure_indexes()


def services() -> Services:
    """The services of the app handling the current request or CLI command."""
    return current_app.extensions["mrvrs"]
