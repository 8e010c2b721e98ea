"""Typed settings, read once at start-up from `MRVRS_*` environment variables.

Every bad value stops start-up with one line naming the variable, so a
misconfigured deployment fails at once instead of half-working.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from config.languages import SUPPORTED_UI_LANGUAGES

ENVIRONMENTS = ("development", "production", "test")
#: Seconds between runs of each periodic sweep; MRVRS_SWEEP_INTERVALS changes some of them.
SWEEP_INTERVALS = {"reminders": 900, "escalations": 900, "follow_ups": 3600,
                   "catch_up": 60, "outbox": 300, "export_files": 3600,
                   "drafts": 3600, "import_drafts": 3600, "digests": 900, "shares": 3600}
#: The role names of `app/roles.py` (config imports nothing of ours), for checking
#: MRVRS_EXPORT_FULL_ROLES; `mission` and `reporter` never get full exports.
ROLE_NAMES = ("reporter", "member", "form_editor", "reviewer", "coordinator", "mission", "admin")
NEVER_FULL_ROLES = ("mission", "reporter")


class SettingsError(ValueError):
    """A configuration value is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    """Everything MRVRS reads from its environment.

    `mongo_uri` None means the embedded in-process store; `broker_url` None means
    Celery runs tasks eagerly in the same process.
    """

    env: str = "development"
    mongo_uri: str | None = None
    db_name: str = "mrvrs"
    mongo_timeout_ms: int = 3000
    broker_url: str | None = None
    secret_key: str = ""
    data_key: str = ""
    audit_keys: tuple[str, ...] = ()
    generated_keys: tuple[str, ...] = ()
    upload_max_bytes: int = 10 * 1024 * 1024
    upload_max_files: int = 5
    request_max_bytes: int = 60 * 1024 * 1024
    rate_limit_login: str = "10 per minute"
    rate_limit_public: str = "30 per minute"
    #: Saving a step of the questionnaire: a report takes a dozen saves, not one post.
    rate_limit_draft: str = "120 per minute"
    rate_limit_storage_uri: str = "memory://"
    trusted_proxies: int = 0
    default_language: str = "en"
    #: Failed sign-ins from one client for one address before that pair is held off,
    #: and for how long: the account itself is never locked (app/login_backoff.py).
    login_max_failures: int = 5
    login_lockout_seconds: int = 900
    #: Wrong tracking codes for one reference, from all clients together, before that
    #: reference takes no code for a while; and how long a verified status page stays
    #: open without use (app/public/status_access.py).
    status_max_failures: int = 10
    status_hold_seconds: int = 3600
    status_grant_seconds: int = 1800
    bootstrap_admin_email: str = "admin@mrvrs.local"
    smtp_url: str | None = None
    mail_from: str = "MRVRS <no-reply@mrvrs.invalid>"
    #: The address staff open MRVRS at, for the links in e-mail digests.
    base_url: str = "http://127.0.0.1:5000"
    stages_file: str | None = None
    routing_file: str | None = None
    #: How often a web process or worker looks for a new routing version saved on the
    #: admin pages: a change is in force everywhere within this many seconds.
    routing_refresh_seconds: int = 30
    sweep_intervals: Mapping[str, int] = field(default_factory=lambda: dict(SWEEP_INTERVALS))
    task_max_retries: int = 5
    task_retry_seconds: float = 2.0
    broker_visibility_seconds: int = 3600
    catch_up_after_seconds: int = 60
    test_task_pause_seconds: float = 0.0
    export_sync_max_rows: int = 5000
    export_keep_hours: int = 72
    export_full_roles: tuple[str, ...] = ("coordinator",)
    #: Counts below this are shown "<N" on pages that publish counts to readers outside
    #: the cases' own teams (the registry's entity pages; exports.suppression).
    small_cell_threshold: int = 5
    #: Hours after filing during which sending the same questionnaire again shows the
    #: receipt once more with a fresh tracking code (workflows/resubmission.py); after
    #: that the one-time token in the page no longer gives anything out.
    receipt_resend_hours: int = 24
    #: How long a reporter's unsent answers stay resumable on their device. Eight hours:
    #: the session cookie that holds the draft id and the CSRF token of the page both
    #: last that long, so a longer draft could not be reached or sent anyway.
    draft_lifetime_hours: int = 8
    #: Where quick exit lands: an ordinary outside page that says nothing about MRVRS.
    quick_exit_url: str = "https://www.google.com/search?q=weather+today"
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def embedded(self) -> bool:
        """True when running on the in-process demo store."""
        return self.mongo_uri is None

    @property
    def eager_tasks(self) -> bool:
        """True when there is no broker and Celery tasks run in-process."""
        return self.broker_url is None

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def data_keys(self) -> tuple[str, ...]:
        """The data keys, newest first: the first seals, every one opens."""
        return tuple(key for key in self.data_key.split(",") if key)

    @property
    def oldest_data_key(self) -> str:
        """The key the duplicate-key and report-pseudonym secrets are derived from.

        The last listed, so that putting a new key in front (the first step of a
        rotation) changes neither duplicate detection nor report pseudonyms.
        """
        return self.data_keys[-1]

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with some values changed, for tests and the CLI."""
        return replace(self, **changes)


def _text(name: str, raw: str) -> str:
    value = raw.strip()
    if not value:
        raise SettingsError(f"{name} is set but empty")
    return value


def _positive_int(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if value <= 0:
        raise SettingsError(f"{name} must be greater than zero, got {value}")
    return value


def _count(name: str, raw: str) -> int:
    """A whole number of zero or more."""
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if value < 0:
        raise SettingsError(f"{name} must be zero or more, got {value}")
    return value


def _mongo_uri(name: str, raw: str) -> str:
    from pymongo.uri_parser import parse_uri  # only the parser; no connection is opened

    value = raw.strip()
    if not value.startswith(("mongodb://", "mongodb+srv://")):
        raise SettingsError(f"{name} must start with mongodb:// or mongodb+srv://, got {raw!r}")
    try:
        parse_uri(value, connect_timeout=1)
    except Exception as exc:  # noqa: BLE001  (pymongo raises several error types for a bad URI)
        raise SettingsError(f"{name} is not a valid MongoDB URI: {exc}") from None
    return value


def _url(schemes: tuple[str, ...]) -> Callable[[str, str], str]:
    def parse(name: str, raw: str) -> str:
        value = raw.strip()
        parts = urlsplit(value)
        if parts.scheme not in schemes or not (parts.hostname or parts.scheme == "memory"):
            allowed = ", ".join(f"{s}://" for s in schemes)
            raise SettingsError(f"{name} must be a URL starting with {allowed}, got {raw!r}")
        return value

    return parse


def _choice(options: tuple[str, ...]) -> Callable[[str, str], str]:
    def parse(name: str, raw: str) -> str:
        value = raw.strip()
        if value not in options:
            raise SettingsError(f"{name} must be one of {', '.join(options)}, got {raw!r}")
        return value

    return parse


def _rate(name: str, raw: str) -> str:
    from limits import parse_many

    try:
        parse_many(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a rate such as '10 per minute', got {raw!r}") from None
    return raw.strip()


def _data_key(name: str, raw: str) -> str:
    """One Fernet key, or several separated by commas, newest first (for rotation)."""
    from cryptography.fernet import Fernet

    keys = [part.strip() for part in raw.split(",")]
    if not any(keys):
        raise SettingsError(f"{name} is set but empty")
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except ValueError:
            which = f"key {position} of {len(keys)}" if len(keys) > 1 else "the value"
            raise SettingsError(
                f"{name}: {which} is not a Fernet key (generate one with "
                f"`mrvrs keys generate`; list several newest first, separated by commas)"
            ) from None
    if len(set(keys)) != len(keys):
        raise SettingsError(f"{name} lists the same key twice")
    return ",".join(keys)


#: Shortest audit key accepted: `mrvrs keys generate` makes 43 characters (32 random bytes).
AUDIT_KEY_MIN_LENGTH = 32


def _audit_keys(name: str, raw: str) -> tuple[str, ...]:
    """`NEW` or `NEW,OLD,...`: the first key seals new audit events; the others are kept
    only to check events sealed before the key was rotated."""
    keys = tuple(key.strip() for key in raw.split(","))
    if not all(keys):
        raise SettingsError(f"{name} has an empty key (keys are separated by commas)")
    if any(len(key) < AUDIT_KEY_MIN_LENGTH for key in keys):
        raise SettingsError(f"{name}: each key must be at least {AUDIT_KEY_MIN_LENGTH} "
                            "characters (generate one with `mrvrs keys generate`)")
    if len(set(keys)) != len(keys):
        raise SettingsError(f"{name} lists the same key twice")
    return keys


def _positive_number(name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None
    if not value > 0:
        raise SettingsError(f"{name} must be greater than zero, got {raw!r}")
    return value


def _bounded_int(low: int, high: int) -> Callable[[str, str], int]:
    def parse(name: str, raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise SettingsError(f"{name} must be a whole number from {low} to {high}, "
                                f"got {raw!r}") from None
        if not low <= value <= high:
            raise SettingsError(f"{name} must be from {low} to {high}, got {value}")
        return value

    return parse


def _file(name: str, raw: str) -> str:
    import os.path

    value = raw.strip()
    if not os.path.isfile(value):
        raise SettingsError(f"{name} names no readable file: {raw!r}")
    return value


def _intervals(name: str, raw: str) -> dict[str, int]:
    """`reminders=600,catch_up=30`: the sweeps named get these intervals in seconds."""
    intervals = dict(SWEEP_INTERVALS)
    for item in filter(None, (part.strip() for part in raw.split(","))):
        sweep, _, seconds = item.partition("=")
        if sweep.strip() not in SWEEP_INTERVALS:
            raise SettingsError(f"{name}: {sweep.strip()!r} is not a sweep; sweeps are "
                                f"{', '.join(SWEEP_INTERVALS)}")
        intervals[sweep.strip()] = _positive_int(name, seconds.strip())
    return intervals


def _full_roles(name: str, raw: str) -> tuple[str, ...]:
    """`coordinator,admin`: the roles that may export cases with every answer."""
    roles = tuple(dict.fromkeys(r.strip() for r in raw.split(",") if r.strip()))
    unknown = [r for r in roles if r not in ROLE_NAMES]
    if unknown:
        raise SettingsError(f"{name}: {', '.join(unknown)} is not a role; roles are "
                            f"{', '.join(ROLE_NAMES)}")
    never = [r for r in roles if r in NEVER_FULL_ROLES]
    if never:
        raise SettingsError(f"{name}: {', '.join(never)} may never export full case data")
    return roles


#: variable suffix -> (settings attribute, parser)
_VARIABLES: dict[str, tuple[str, Callable[[str, str], Any]]] = {
    "ENV": ("env", _choice(ENVIRONMENTS)),
    "MONGO_URI": ("mongo_uri", _mongo_uri),
    "DB_NAME": ("db_name", _text),
    "MONGO_TIMEOUT_MS": ("mongo_timeout_ms", _positive_int),
    "BROKER_URL": ("broker_url", _url(("redis", "rediss", "amqp", "memory"))),
    "SECRET_KEY": ("secret_key", _text),
    "DATA_KEY": ("data_key", _data_key),
    "AUDIT_KEY": ("audit_keys", _audit_keys),
    "UPLOAD_MAX_BYTES": ("upload_max_bytes", _positive_int),
    "UPLOAD_MAX_FILES": ("upload_max_files", _positive_int),
    "REQUEST_MAX_BYTES": ("request_max_bytes", _positive_int),
    "RATE_LIMIT_LOGIN": ("rate_limit_login", _rate),
    "RATE_LIMIT_PUBLIC": ("rate_limit_public", _rate),
    "RATE_LIMIT_DRAFT": ("rate_limit_draft", _rate),
    "RATE_LIMIT_STORAGE_URI": ("rate_limit_storage_uri", _url(("memory", "redis", "rediss"))),
    "TRUSTED_PROXIES": ("trusted_proxies", _count),
    "DEFAULT_LANGUAGE": ("default_language", _choice(SUPPORTED_UI_LANGUAGES)),
    "LOGIN_MAX_FAILURES": ("login_max_failures", _positive_int),
    "LOGIN_LOCKOUT_SECONDS": ("login_lockout_seconds", _positive_int),
    "STATUS_MAX_FAILURES": ("status_max_failures", _positive_int),
    "STATUS_HOLD_SECONDS": ("status_hold_seconds", _positive_int),
    "STATUS_GRANT_SECONDS": ("status_grant_seconds", _positive_int),
    "BOOTSTRAP_ADMIN_EMAIL": ("bootstrap_admin_email", _text),
    "SMTP_URL": ("smtp_url", _url(("smtp", "smtps"))),
    "MAIL_FROM": ("mail_from", _text),
    "BASE_URL": ("base_url", _url(("https", "http"))),
    "STAGES_FILE": ("stages_file", _file),
    "ROUTING_FILE": ("routing_file", _file),
    "ROUTING_REFRESH_SECONDS": ("routing_refresh_seconds", _bounded_int(1, 60)),
    "SWEEP_INTERVALS": ("sweep_intervals", _intervals),
    "TASK_MAX_RETRIES": ("task_max_retries", _positive_int),
    "TASK_RETRY_SECONDS": ("task_retry_seconds", _positive_number),
    "BROKER_VISIBILITY_SECONDS": ("broker_visibility_seconds", _positive_int),
    "CATCH_UP_AFTER_SECONDS": ("catch_up_after_seconds", _positive_int),
    "TEST_TASK_PAUSE_SECONDS": ("test_task_pause_seconds", _positive_number),
    "EXPORT_SYNC_MAX_ROWS": ("export_sync_max_rows", _positive_int),
    "SMALL_CELL_THRESHOLD": ("small_cell_threshold", _positive_int),
    "EXPORT_KEEP_HOURS": ("export_keep_hours", _positive_int),
    "EXPORT_FULL_ROLES": ("export_full_roles", _full_roles),
    "RECEIPT_RESEND_HOURS": ("receipt_resend_hours", _positive_int),
    "DRAFT_LIFETIME_HOURS": ("draft_lifetime_hours", _positive_int),
    "QUICK_EXIT_URL": ("quick_exit_url", _url(("https", "http"))),
}

PREFIX = "MRVRS_"


def variable_names() -> list[str]:
    """Every environment variable MRVRS reads, for the README and `--help`."""
    return [PREFIX + suffix for suffix in _VARIABLES]


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Build `Settings` from an environment mapping, or raise `SettingsError`.

    Keys are generated per run outside production, and `generated_keys` records
    which, so start-up can warn that sessions and encrypted data will not survive
    a restart.
    """
    values: dict[str, Any] = {}
    for suffix, (attribute, parse) in _VARIABLES.items():
        name = PREFIX + suffix
        if name in environ:
            values[attribute] = parse(name, environ[name])
    settings = Settings(**values)
    return _fill_keys(settings)


def _fill_keys(settings: Settings) -> Settings:
    from cryptography.fernet import Fernet

    missing = [name for name, value in (("SECRET_KEY", settings.secret_key),
                                        ("DATA_KEY", settings.data_key),
                                        ("AUDIT_KEY", settings.audit_keys)) if not value]
    if not missing:
        return settings
    if settings.production:
        raise SettingsError(f"{PREFIX}{missing[0]} is required when {PREFIX}ENV=production")
    return replace(
        settings,
        secret_key=settings.secret_key or secrets.token_urlsafe(32),
        data_key=settings.data_key or Fernet.generate_key().decode(),
        audit_keys=settings.audit_keys or (secrets.token_urlsafe(32),),
        generated_keys=tuple(PREFIX + name for name in missing),
    )
