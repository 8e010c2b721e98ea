"""A second pair of eyes before a form version goes live: which countries require
it, and the one submission per form waiting for another editor.

A submission is one document per form (its `_id` is the form id), so "only one
submission per form at a time" is the unique `_id`, and every step is a single
update guarded by the state it expects: of two approvers acting at once one wins
and the other gets `SubmissionConflict`, as with case transitions.

States: `submitted` (frozen text, waiting), then `approving` (claimed by one
approver while the version is published), `published`, `returned` (with a reason,
the text goes back to the draft) or `withdrawn` (by its submitter). Only
`submitted` and `approving` block a new submission.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo import ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from forms.loader import MAX_SOURCE_CHARS

SUBMITTED, APPROVING, PUBLISHED, RETURNED, WITHDRAWN = (
    "submitted", "approving", "published", "returned", "withdrawn")
#: States in which a submission holds its form: no second one may be made.
OPEN_STATES = (SUBMITTED, APPROVING)
MAX_REASON_CHARS = 2000


class SubmissionConflict(RuntimeError):
    """The submission is not (or no longer) in the state this step needs."""


def _now() -> datetime:
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class ApprovalStore:
    """Per-country rule (`form_approval_rules`) and submissions (`form_submissions`)."""

    def __init__(self, db: Database) -> None:
        self.rules = db.form_approval_rules
        self.submissions = db.form_submissions

    # -- the per-country rule --------------------------------------------------

    def required(self, country: str | None) -> bool:
        """Whether a version of this country's forms needs a second editor's approval."""
        if not country:
            return False
        rule = self.rules.find_one({"_id": str(country)})
        return bool(rule and rule.get("required"))

    def set_required(self, country: str, required: bool, actor: str) -> dict:
        rule = {"_id": str(country), "required": bool(required), "changed_by": actor,
                "changed_at": _now()}
        self.rules.replace_one({"_id": rule["_id"]}, rule, upsert=True)
        return rule

    def rules_list(self) -> list[dict]:
        return list(self.rules.find({}).sort("_id", 1))

    # -- submissions -----------------------------------------------------------

    def get(self, form_id: str) -> dict | None:
        return self.submissions.find_one({"_id": str(form_id)})

    def pending(self, form_id: str) -> dict | None:
        """The submission holding this form, if one does."""
        return self.submissions.find_one({"_id": str(form_id), "state": {"$in": list(OPEN_STATES)}})

    def submit(self, form_id: str, *, text: str, digest: str, country: str | None,
               actor: str) -> dict:
        """Freeze a checked text for approval; `SubmissionConflict` if one is pending."""
        if len(text) > MAX_SOURCE_CHARS:
            raise ValueError(f"A definition may have at most {MAX_SOURCE_CHARS} characters.")
        fields = {"state": SUBMITTED, "text": text, "hash": digest, "country": country,
                  "submitted_by": actor, "submitted_at": _now(), "decided_by": None,
                  "decided_at": None, "reason": None, "version": None}
        try:
            # Matches a closed submission (replaced) or none (inserted); an open one makes
            # the upsert insert a second document with the same _id, which the index refuses.
            self.submissions.update_one(
                {"_id": str(form_id), "state": {"$nin": list(OPEN_STATES)}},
                {"$set": fields}, upsert=True)
        except DuplicateKeyError:
            raise SubmissionConflict(f"{form_id} already has a submission waiting.") from None
        return {"_id": str(form_id), **fields}

    def withdraw(self, form_id: str, actor: str) -> dict:
        """The submitter takes their submission back."""
        return self._close(form_id, {"state": SUBMITTED, "submitted_by": actor},
                           WITHDRAWN, actor)

    def return_(self, form_id: str, actor: str, reason: str) -> dict:
        """Another editor sends it back with a reason."""
        return self._close(form_id, {"state": SUBMITTED, "submitted_by": {"$ne": actor}},
                           RETURNED, actor, reason=reason[:MAX_REASON_CHARS])

    def claim(self, form_id: str, actor: str) -> dict:
        """An approver (never the submitter) takes the submission to publish it.

        The one guarded update that decides a race between approvers.
        """
        return self._close(form_id, {"state": SUBMITTED, "submitted_by": {"$ne": actor}},
                           APPROVING, actor)

    def release(self, form_id: str, actor: str) -> None:
        """Put a claimed submission back when publishing it failed."""
        self.submissions.update_one({"_id": str(form_id), "state": APPROVING,
                                     "decided_by": actor},
                                    {"$set": {"state": SUBMITTED, "decided_by": None,
                                              "decided_at": None}})

    def mark_published(self, form_id: str, actor: str, version: int) -> None:
        self.submissions.update_one({"_id": str(form_id), "state": APPROVING,
                                     "decided_by": actor},
                                    {"$set": {"state": PUBLISHED, "version": version}})

    def _close(self, form_id: str, guard: dict, state: str, actor: str,
               reason: str | None = None) -> dict:
        found = self.submissions.find_one_and_update(
            {"_id": str(form_id), **guard},
            {"$set": {"state": state, "decided_by": actor, "decided_at": _now(),
                      "reason": reason}},
            return_document=ReturnDocument.AFTER)
        if found is None:
            raise SubmissionConflict(f"{form_id} has no submission this step applies to; "
                                     "someone may have acted on it already.")
        return found
