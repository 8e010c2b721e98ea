"""Published form versions and drafts: the only `forms` module that touches MongoDB.

A published version is never changed or deleted, because cases name the form id,
version and hash they were filed on and must render with it forever. Numbers come
from a unique (form id, version) index rather than a lock: of two publishes racing
for the same number one insert fails, re-reads and takes the next number, and
after a few lost races the publish fails cleanly with `PublishConflict`.
"""

from __future__ import annotations

import collections
import functools
import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from forms.compiler import compile_form
from forms.loader import MAX_SOURCE_CHARS, ParsedSource, parse_definition
from forms.schema import FormDefinition

_PUBLISH_ATTEMPTS = 5
_CACHE_SIZE = 128
#: What lists of versions carry: everything but the definition and its source.
SUMMARY = {"definition": 0, "source": 0}
#: (published type, new type) pairs under which every stored answer keeps its meaning: a
#: box's true and false are a yes/no question's yes and no (`mrvrs db migrate` turns the
#: false of boxes left unticked into "not answered").
COMPATIBLE_TYPE_CHANGES = frozenset({("boolean", "yesno")})


class FormNotFound(LookupError):
    """No published version with this form id (and version number)."""


class PublishConflict(RuntimeError):
    """Too many publishes of the same form at the same moment; nothing was written."""


@dataclass(frozen=True)
class TypeChange:
    """A field id published with one type that a new version gives another."""

    field_id: str
    old_type: str
    new_type: str
    version: int

    @property
    def message(self) -> str:
        return (f'The field "{self.field_id}" was published as a {self.old_type} field '
                f"(version {self.version}) and cannot become a {self.new_type} field. "
                "Give the new question a new id instead, so answers already given keep "
                "their meaning.")


class PublishRefused(Exception):
    """A version that would change the meaning of answers already given."""

    def __init__(self, reasons: Sequence[TypeChange]) -> None:
        self.reasons = tuple(reasons)
        super().__init__("\n".join(self.problems))

    @property
    def problems(self) -> list[str]:
        return [reason.message for reason in self.reasons]


@dataclass
class ShippedReport:
    """What `publish_shipped` did with each shipped definition."""

    published: list[dict] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # edited here since: left alone
    problems: dict[str, list[str]] = field(default_factory=dict)


def _now() -> datetime:
    # Milliseconds: what MongoDB keeps, so a returned record equals the stored one.
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _version_number(version: Any) -> int | None:
    if isinstance(version, bool):
        return None
    if isinstance(version, int):
        return version
    if isinstance(version, str) and version.isdecimal() and len(version) < 10:
        return int(version)
    return None


class FormStore:
    """Form versions (`form_versions`) and one working draft per form (`form_drafts`)."""

    def __init__(self, db: Database) -> None:
        self.versions_collection = db.form_versions
        self.drafts = db.form_drafts
        self._cache: collections.OrderedDict[tuple[str, int], Any] = collections.OrderedDict()
        self._lock = threading.Lock()

    def ensure_indexes(self) -> None:
        self.versions_collection.create_index(
            [("form_id", ASCENDING), ("version", ASCENDING)], unique=True,
            name="form_version_unique")
        self.versions_collection.create_index([("form_id", ASCENDING), ("hash", ASCENDING)],
                                              name="form_hash")

    # -- reading ---------------------------------------------------------------

    def get(self, form_id: str, version: Any) -> dict | None:
        number = _version_number(version)
        if number is None:
            return None
        return self.versions_collection.find_one({"form_id": str(form_id), "version": number})

    def latest(self, form_id: str) -> dict | None:
        return self.versions_collection.find_one({"form_id": str(form_id)},
                                                 sort=[("version", DESCENDING)])

    def summary(self, form_id: str, version: Any = None) -> dict | None:
        """A version's record without its definition and source (latest when None).

        What intake needs on every submission (version and hash). A numbered
        version never changes, so its summary is cached with the definitions: a
        submission then reads no form record at all (FerretDB reads the whole large
        record even for a projection).
        """
        if version is None:
            return self.versions_collection.find_one({"form_id": str(form_id)}, SUMMARY,
                                                     sort=[("version", DESCENDING)])
        number = _version_number(version)
        if number is None:
            return None
        key = (f"summary:{form_id}", number)
        cached = self._cached(key)
        if cached is None:
            found = self.versions_collection.find_one(
                {"form_id": str(form_id), "version": number}, SUMMARY)
            cached = self._remember(key, found) if found is not None else None
        return dict(cached) if cached is not None else None

    def versions(self, form_id: str) -> list[dict]:
        """Every version of a form, oldest first, without definition and source."""
        return list(self.versions_collection.find({"form_id": str(form_id)}, SUMMARY)
                    .sort("version", ASCENDING))

    def list_latest(self) -> list[dict]:
        """The latest version of each form, by form id, without definition and source."""
        latest: dict[str, dict] = {}
        cursor = self.versions_collection.find({}, SUMMARY).sort(
            [("form_id", ASCENDING), ("version", ASCENDING)])
        for record in cursor:
            latest[record["form_id"]] = record
        return [latest[form_id] for form_id in sorted(latest)]

    def case_definition(self, case: Mapping[str, Any]) -> FormDefinition | None:
        """The version a case was filed on (its `form`), or None when it is not published:
        the case page, its staff answers and the status page each carry on without it."""
        form = case.get("form") or {}
        try:
            return self.definition(form.get("id"), form.get("version"))
        except FormNotFound:
            return None

    def definition(self, form_id: str, version: Any) -> FormDefinition:
        """The definition of one version; raises `FormNotFound`. Cached: versions never change."""
        number = _version_number(version)
        key = (str(form_id), number if number is not None else -1)
        cached = self._cached(key)
        if cached is None:
            record = self.get(form_id, version)
            if record is None:
                raise FormNotFound(f"There is no version {version} of the form {form_id}.")
            cached = self._remember(key, FormDefinition.from_dict(definition_data(record)))
        return cached

    def library_sources(self) -> dict[str, ParsedSource]:
        """The latest published source of each form, parsed, for compiling uploads
        whose `extends` parents are published forms."""
        sources: dict[str, ParsedSource] = {}
        for summary in self.list_latest():
            form_id, number = summary["form_id"], summary["version"]
            record = self.versions_collection.find_one(
                {"form_id": form_id, "version": number}, {"source": 1}) or {}
            sources[form_id] = _parse_published(record.get("source", ""),
                                                f"{form_id} (published version {number})")
        return sources

    def _cached(self, key: tuple[str, int]) -> Any:
        with self._lock:
            value = self._cache.get(key)
            if value is not None:
                self._cache.move_to_end(key)
            return value

    def _remember(self, key: tuple[str, int], value: Any) -> Any:
        with self._lock:
            self._cache[key] = value
            while len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return value

    # -- publishing ------------------------------------------------------------

    def publish(self, definition: FormDefinition, *, source_text: str, actor: str) -> dict:
        """Publish the next version, or return the latest when it has the same hash.

        Content equal to an older, superseded version is published again as a new
        version: going back to earlier wording is a change of the current form.
        Raises `PublishRefused` when a field id would change type.
        """
        return self._publish(definition, definition.definition_hash(), source_text, actor)

    def _publish(self, definition: FormDefinition, digest: str, source_text: str,
                 actor: str) -> dict:
        for _ in range(_PUBLISH_ATTEMPTS):
            latest = self.latest(definition.id)
            if latest is not None and latest["hash"] == digest:
                return latest
            changes = self.type_changes(definition)
            if changes:
                raise PublishRefused(changes)
            number = latest["version"] + 1 if latest else 1
            record = _record(definition, digest, number, source_text, actor)
            try:
                self.versions_collection.insert_one(record)
            except DuplicateKeyError:
                continue  # another publish took this number: look again
            return record
        raise PublishConflict(f"The form {definition.id} is being published by several "
                              "people at once; nothing was written. Try again.")

    def type_changes(self, definition: FormDefinition) -> list[TypeChange]:
        """Fields whose id was published, in any version, with a type whose answers the
        new type would read differently (`COMPATIBLE_TYPE_CHANGES` are allowed)."""
        published: dict[str, dict[str, int]] = {}
        cursor = self.versions_collection.find(
            {"form_id": definition.id}, {"version": 1, "field_types": 1}
        ).sort("version", ASCENDING)
        for record in cursor:
            for field_id, field_type in (record.get("field_types") or {}).items():
                published.setdefault(field_id, {}).setdefault(field_type, record["version"])
        return [
            TypeChange(f.id, old_type, f.type, version)
            for f in definition.fields()
            for old_type, version in published.get(f.id, {}).items()
            if old_type != f.type and (old_type, f.type) not in COMPATIBLE_TYPE_CHANGES
        ]

    def publish_shipped(self, actor: str = "system") -> ShippedReport:
        """Publish each shipped definition whose content is not published yet.

        A form whose latest version was published by someone other than `actor`
        was edited here, so a newer shipped file does not replace it.
        """
        report = ShippedReport()
        for form_id, definition, digest, source, problems in shipped_definitions():
            if definition is None:
                report.problems[form_id] = list(problems)
                continue
            if self.versions_collection.find_one({"form_id": form_id, "hash": digest},
                                                 {"_id": 1}):
                continue
            latest = self.latest(form_id)
            if latest is not None and latest.get("published_by") != actor:
                report.kept.append(form_id)
                continue
            try:
                report.published.append(self._publish(definition, digest, source, actor))
            except PublishRefused as exc:
                report.problems[form_id] = exc.problems
        return report

    # -- drafts ----------------------------------------------------------------

    def save_draft(self, form_id: str, text: str, actor: str) -> dict:
        """Keep one working copy per form, replaced by each save."""
        if len(text) > MAX_SOURCE_CHARS:
            raise ValueError(f"A definition may have at most {MAX_SOURCE_CHARS} characters.")
        draft = {"_id": str(form_id), "text": text, "saved_by": actor, "saved_at": _now()}
        self.drafts.replace_one({"_id": draft["_id"]}, draft, upsert=True)
        return draft

    def draft(self, form_id: str) -> dict | None:
        return self.drafts.find_one({"_id": str(form_id)})

    def list_drafts(self) -> list[dict]:
        """Every saved draft, by form id, with its text: the forms list shows them, so a
        form imported or started but never published can be found again."""
        return list(self.drafts.find({}).sort("_id", ASCENDING))

    def discard_draft(self, form_id: str) -> None:
        self.drafts.delete_one({"_id": str(form_id)})


_JSON_BY_HASH: dict[str, str] = {}


def _definition_json(definition: FormDefinition, digest: str) -> str:
    """The stored text of a definition; the same hash always gives the same text, so
    republishing the shipped forms (every embedded start) serialises each once."""
    text = _JSON_BY_HASH.get(digest)
    if text is None:
        text = json.dumps(definition.to_dict(), sort_keys=True, ensure_ascii=False)
        if len(_JSON_BY_HASH) < _CACHE_SIZE:
            _JSON_BY_HASH[digest] = text
    return text


def definition_data(record: dict) -> dict:
    """The merged definition of a stored version as plain data."""
    return json.loads(record["definition"])


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _parse_published(text: str, origin: str) -> ParsedSource:
    """Parse a published source once per process: every upload compiles against them."""
    return parse_definition(text, origin)


def _record(definition: FormDefinition, digest: str, version: int, source: str,
            actor: str) -> dict:
    return {
        "_id": f"{definition.id}:{version}",
        "form_id": definition.id,
        "version": version,
        "hash": digest,
        # An immutable whole, never queried inside: kept as one JSON text, which writes
        # and reads as a single value instead of thousands of nested keys.
        "definition": _definition_json(definition, digest),
        "field_types": {f.id: f.type for f in definition.fields()},
        "country": definition.country,
        "languages": list(definition.languages),
        "title": dict(definition.title),
        "extends": definition.extends,
        "source": source,
        "published_at": _now(),
        "published_by": actor,
    }


Shipped = tuple[str, FormDefinition | None, str, str, tuple[str, ...]]


@functools.cache
def shipped_definitions() -> tuple[Shipped, ...]:
    """(form id, definition or None, its hash, source text, problems) of each shipped
    file, compiled once per process: the files do not change while it runs."""
    folder = resources.files("forms").joinpath("definitions")
    texts: dict[str, tuple[str, ParsedSource]] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")):
            text = entry.read_text(encoding="utf-8")
            parsed = parse_definition(text, f"forms/definitions/{entry.name}")
            texts[parsed.form_id or entry.name.rsplit(".", 1)[0]] = (text, parsed)
    sources = {form_id: parsed for form_id, (_, parsed) in texts.items()}
    out = []
    for form_id, (text, _) in texts.items():
        result = compile_form(form_id, sources)
        digest = result.definition.definition_hash() if result.definition else ""
        out.append((form_id, result.definition, digest, text,
                    tuple(p.message for p in result.problems)))
    return tuple(out)
