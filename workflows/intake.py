"""Turn one validated submission into one stored case (docs/case-document.md).

Plain functions with no Flask: the questionnaire page and the API both validate
with the same WTForms class and then call `submit_case`, so a case is built the
same way whoever files it.

Nothing is half-stored. Everything is checked first (answers are plain JSON
values of known fields, attachments by size, count and content). Then the
attachments go into GridFS as *pending* under the new case id, then the case is
inserted in one write, then the attachments are marked *attached*. When the
insert fails the pending files are deleted; when even that fails, or the final
marking fails, `AttachmentStore.sweep_pending` later deletes the orphans or
finishes the marking, so the outcome is always "no case and no files" or "the
case and its files". Routing is enqueued only after the insert, and a broker
that is down does not fail the submission: the workflow's catch-up sweep routes
cases left in `submitted`.

Duplicate keys are computed here because it is the only moment the plain names
are at hand; afterwards they are sealed. Which answers feed which key part:
``worker_name`` is ``full_name``, else ``given_name`` and ``family_name``
joined; ``employer_name`` and ``passport_number`` are the fields of those ids;
each only when the form marks the field ``personal`` (name or document), so a
country form cannot feed an unmarked field into them. ``nationality`` and
``destination_country`` come from the derived dimensions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from forms.answer_rules import MAX_TEXTAREA_CHARS
from forms.answers import derive_case_fields, split_sensitive
from forms.schema import FormDefinition
from workflows.attachments import AttachmentStore, Upload
from workflows.case_facts import event_period
from workflows.identity_keys import duplicate_keys
from workflows.repository import CaseRepository, new_case_id
from workflows.sealing import Sealer
from workflows.tracking import code_hash, new_code

log = logging.getLogger("mrvrs.intake")

#: Longest text answer kept: the form's own hard cap, so this check is never stricter.
MAX_ANSWER_CHARS = MAX_TEXTAREA_CHARS
#: Most values in one multiple-choice answer.
MAX_LIST_ITEMS = 200

#: Duplicate-key part -> field ids that may fill it, in order of preference.
IDENTITY_FIELDS: Mapping[str, tuple[tuple[str, ...], ...]] = {
    "worker_name": (("full_name",), ("given_name", "family_name")),
    "employer_name": (("employer_name",),),
    "passport_number": (("passport_number",),),
}
IDENTITY_KINDS = frozenset({"name", "document"})
CASEWORKER_GENDERS = frozenset({"woman", "man", "non_binary"})


@dataclass(frozen=True)
class FormRecord:
    """Which published form a case was filed on: id, version and merged-definition hash."""

    id: str
    version: int
    hash: str


@dataclass(frozen=True)
class Problem:
    """One refused answer; `code` picks the sentence shown (unknown_field, not_plain, too_long...)."""

    field: str
    code: str
    detail: str = ""


@dataclass
class IntakeError(ValueError):
    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(f"{p.field}: {p.code}" for p in self.problems)


def check_answers(definition: FormDefinition, answers: Mapping[str, Any],
                  language: str) -> list[Problem]:
    """Defence behind the form: known fields, plain JSON scalars, bounded sizes."""
    fields = {f.id: f for f in definition.fields()}
    problems = []
    if language not in definition.languages:
        problems.append(Problem("language", "unknown_language", str(language)[:20]))
    for key, value in answers.items():
        known = fields.get(key)
        if known is None or known.type == "file":
            problems.append(Problem(str(key)[:100], "unknown_field"))
        else:
            problem = _value_problem(value, known.max if isinstance(known.max, int) else None)
            if problem:
                problems.append(Problem(key, problem))
    return problems


def _value_problem(value: Any, field_max: int | None) -> str | None:
    if isinstance(value, list):
        if len(value) > MAX_LIST_ITEMS:
            return "too_many"
        return next((p for p in (_scalar_problem(v, field_max) for v in value) if p), None)
    return _scalar_problem(value, field_max)


def _scalar_problem(value: Any, field_max: int | None) -> str | None:
    """Objects never pass, so `{"$gt": ""}` is neither queried nor stored as an object."""
    if value is None or isinstance(value, (bool, int, float)):
        return None
    if isinstance(value, str):
        return "too_long" if len(value) > max(field_max or 0, MAX_ANSWER_CHARS) else None
    return "not_plain"


def identity_values(definition: FormDefinition, answers: Mapping[str, Any],
                    dimensions: Mapping[str, Any]) -> dict[str, Any]:
    """The plain values `duplicate_keys` reads, taken from fields marked personal."""
    personal = {f.id for f in definition.fields() if f.personal in IDENTITY_KINDS}
    values: dict[str, Any] = {"nationality": dimensions.get("nationality"),
                              "destination_country": dimensions.get("destination_country")}
    for part, options in IDENTITY_FIELDS.items():
        for ids in options:
            texts = [answers.get(i) for i in ids if i in personal]
            texts = [t.strip() for t in texts if isinstance(t, str) and t.strip()]
            if texts:
                values[part] = " ".join(texts)
                break
    return values


def caseworker_request(answers: Mapping[str, Any], dimensions: Mapping[str, Any]) -> str | None:
    """The caseworker gender asked for; "same_gender" when the person's gender is not given."""
    wanted = answers.get("caseworker_gender")
    if wanted == "same_gender":
        gender = dimensions.get("gender")
        return gender if gender in CASEWORKER_GENDERS else "same_gender"
    return wanted if wanted in CASEWORKER_GENDERS else None


def reporter_record(reporter: Mapping[str, Any]) -> dict[str, Any]:
    """Exactly who filed: never an address, agent or device, whatever the caller passed."""
    user_id = reporter.get("user_id")
    if not user_id:
        return {"anonymous": True, "user_id": None, "org_id": None}
    return {"anonymous": False, "user_id": str(user_id),
            "org_id": str(reporter["org_id"]) if reporter.get("org_id") else None}


#: How a case's answers are written. 2: a yes/no question left unanswered is absent.
#: Cases without it were filed when yes/no questions were boxes, and may hold false for a
#: box left unticked; `mrvrs db migrate` (workflows/yes_no_migration.py) turns those into
#: "not answered" and sets this.
ANSWERS_FORMAT = 2


def build_case(*, definition: FormDefinition, form_record: FormRecord,
               answers: Mapping[str, Any], language: str, reporter: Mapping[str, Any],
               sealer: Sealer, identity_secret: bytes, now: datetime, case_id: str,
               reference: str, tracking_hash: str,
               attachments: list[dict[str, Any]]) -> dict[str, Any]:
    """The case document, as plain data; nothing is written here."""
    plain, sensitive = split_sensitive(definition, answers)
    derived = derive_case_fields(definition, answers)
    who = reporter_record(reporter)
    return {
        "_id": case_id, "reference": reference, "country": definition.country,
        "form": {"id": form_record.id, "version": form_record.version, "hash": form_record.hash},
        "language": language, "answers": plain, "answers_format": ANSWERS_FORMAT,
        "event": event_period(answers),
        "sensitive": sealer.seal(sensitive) if sensitive else None,
        **derived,
        "caseworker_gender": caseworker_request(answers, derived["dimensions"]),
        "reporter": who, "tracking_hash": tracking_hash,
        "duplicate_keys": duplicate_keys(
            identity_values(definition, answers, derived["dimensions"]), identity_secret),
        "attachments": attachments,
        "stage": "submitted", "version": 1, "priority": "normal", "team": None,
        "assignee": None, "duplicate_of": None, "possible_duplicates": [], "outcome": None,
        "follow_ups": [], "deadlines": {},
        "events": [{"at": now, "actor": who["user_id"] or "reporter", "from": None,
                    "to": "submitted", "note": "", "kind": "transition"}],
        "created_at": now, "updated_at": now,
    }


def _uploads(files: Mapping[str, list[Upload]] | None) -> list[Upload]:
    return [upload for uploads in (files or {}).values() for upload in uploads]


def submit_case(*, definition: FormDefinition, form_record: FormRecord,
                answers: Mapping[str, Any], files: Mapping[str, list[Upload]] | None,
                language: str, reporter: Mapping[str, Any], repo: CaseRepository,
                sealer: Sealer, attachments_store: AttachmentStore, identity_secret: bytes,
                now: datetime, enqueue: Callable[[str], object] | None = None,
                case_id: str | None = None, stored: list[dict[str, Any]] | None = None,
                submission_hash: str | None = None,
                marks: Mapping[str, Any] | None = None) -> tuple[dict[str, Any], str]:
    """Store one case and its attachments; returns (case, tracking code shown once).

    A report filed in steps passes the `case_id` its draft reserved and the
    attachments already `stored` as pending under it (checked when uploaded); they
    become the case's like the files sent with the answers. Raises `IntakeError`
    or `AttachmentsRefused` before anything is stored.
    `submission_hash` (`workflows.resubmission.submission_hash` of the questionnaire
    page's one-time token) is kept on the case; when another case already holds it,
    `AlreadyFiled` is raised and nothing this send added is kept.
    `marks` are top-level keys added to the case as they are: an imported case's
    `source` and `import_key` (workflows/case_import.py), whose unique index raises
    `DuplicateKeyError` when another case already holds the key; nothing is kept then.
    """
    problems = check_answers(definition, answers, language)
    if not definition.country:
        problems.append(Problem("form", "no_country"))
    if problems:
        raise IntakeError(problems)
    checked = attachments_store.check(_uploads(files))
    case_id, code = case_id or new_case_id(), new_code()
    reference = repo.next_reference(definition.country, now.year)
    case = build_case(definition=definition, form_record=form_record, answers=answers,
                      language=language, reporter=reporter, sealer=sealer,
                      identity_secret=identity_secret, now=now, case_id=case_id,
                      reference=reference, tracking_hash=code_hash(code), attachments=[])
    if submission_hash:
        case["submission_hash"] = submission_hash  # absent otherwise: the index is sparse
    case.update(marks or {})
    _store(case, checked, repo, attachments_store, list(stored or []))
    if enqueue is not None:
        _enqueue(enqueue, case_id)
    return case, code


def _store(case: dict[str, Any], checked: list, repo: CaseRepository,
           attachments_store: AttachmentStore, stored: list[dict[str, Any]]) -> None:
    """Files of a draft (`stored`) are kept when the insert fails: a resend uses them.

    Of the files this send added, exactly those are removed on failure: a send that
    lost the race to another send of the same draft shares its case id, and must not
    remove the winner's files before they are marked attached.
    """
    case_id = case["_id"]
    added: list[dict[str, Any]] = []
    try:
        added = attachments_store.put_pending(checked, case_id)
        case["attachments"] = [*stored, *added]
        repo.insert(case)
    except Exception:
        if added or not stored:
            _discard(attachments_store, case_id, [entry["id"] for entry in added])
        raise
    if not case["attachments"]:
        return  # nothing pending: most submissions, spared a write
    try:
        attachments_store.mark_attached(case_id)
    except Exception:  # the case is stored; the sweep marks its files later
        log.exception("case %s stored but its attachments are still pending", case_id)


def _discard(attachments_store: AttachmentStore, case_id: str, file_ids: list[str]) -> None:
    """The files added, or every pending file of the case when storing them failed."""
    try:
        if file_ids:
            attachments_store.discard(file_ids)
        else:
            attachments_store.discard_pending(case_id)
    except Exception:  # the sweep deletes pending files whose case never arrived
        log.exception("could not remove the pending attachments of case %s", case_id)


def _enqueue(enqueue: Callable[[str], object], case_id: str) -> None:
    try:
        enqueue(case_id)
    except Exception as exc:  # noqa: BLE001  (any broker failure: the sweep routes the case)
        log.warning("routing of case %s not queued (%s); the catch-up sweep will route it",
                    case_id, type(exc).__name__)


def enqueue_routing(celery: Any, case_id: str) -> None:
    """Send `route_case` through this Celery app, failing fast when the broker is away.

    No retries and no result: waiting on a dead broker or result store would hold
    the reporter's page for many seconds, and the catch-up sweep routes the case
    anyway. The task id is derived from the case, so a resent request is recognisable.
    """
    import workflows.tasks  # noqa: F401  (registers the task with every Celery app)

    celery.tasks["mrvrs.route_case"].apply_async(args=[case_id], task_id=f"route:{case_id}:1",
                                                 retry=False, ignore_result=True)


#: What a reporter's own list shows: never answers, notes or anything sealed.
LISTED_FIELDS = {"reference": 1, "country": 1, "stage": 1, "language": 1, "form.id": 1,
                 "created_at": 1, "reporter": 1}


def reports_of(repo: CaseRepository, user_id: str, org_id: str | None = None,
               limit: int = 200) -> list[dict[str, Any]]:
    """Cases a signed-in user filed, plus their organisation's when `org_id` is given."""
    wanted: list[dict[str, Any]] = [{"reporter.user_id": str(user_id)}]
    if org_id:
        wanted.append({"reporter.org_id": str(org_id)})
    query = wanted[0] if len(wanted) == 1 else {"$or": wanted}
    cursor = repo.cases.find(query, LISTED_FIELDS).sort("created_at", -1).limit(limit)
    return list(cursor)
