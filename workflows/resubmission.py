"""A report sent again: its receipt shown once more, with a freshly issued tracking code.

Every questionnaire page carries a one-time token (128 random bits) that lives only in
that page or its draft. The case filed from it keeps only the token's SHA-256, in
`submission_hash`, under a unique index, so a page sent twice files one case however
the two sends interleave (`CaseRepository.insert`).

When the connection drops after the server stored the report, the reporter never saw
the tracking code. Sending the page again (pressing send once more, or reloading) must
not leave them without one, and must not file a second case. So a send whose token
matches a case filed less than the resend window ago gets a new code: the case's
tracking hash is replaced in one guarded update, the old code stops working, and the
timeline says a code was reissued (never the code). The token is the only way to
obtain a code, and only for that window; after it the token gives nothing out. A token
that matches no case files a new one, and anything that is not shaped like a token we
issue is never looked up.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from workflows.repository import CaseRepository
from workflows.tracking import code_hash, new_code

#: What `secrets.token_urlsafe(16)` gives (22 characters), with room for longer tokens.
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{22,86}$")
#: The event kind on the timeline; it carries who and when, never the code or its hash.
EVENT_KIND = "tracking_reissued"
#: Reads and guarded writes before giving up, when other resends of the same page keep
#: replacing the code (or the stage changes) between the read and the write.
ATTEMPTS = 10


def submission_hash(token: Any) -> str | None:
    """The SHA-256 kept on the case for a questionnaire token; None for anything that is
    not shaped like a token we issue (missing, forged as an object, too short)."""
    if not isinstance(token, str) or not TOKEN_PATTERN.match(token):
        return None
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Resend:
    """What a resend found. `code` is None when the case was filed before the window:
    then neither the code nor the reference is given out."""

    case_id: str
    reference: str | None
    code: str | None


def reissue(repo: CaseRepository, token: Any, *, now: datetime, window: timedelta,
            actor: str) -> Resend | None:
    """A fresh tracking code for the case filed from this page; None when no case was.

    `actor` is the user id of a signed-in reporter, else ``"reporter"``.
    """
    digest = submission_hash(token)
    if digest is None:
        return None
    for _ in range(ATTEMPTS):
        case = repo.filed_with(digest)  # one read: a first send, the usual one, finds none
        if case is None:
            return None
        if _filed_before(case, now - window):
            return Resend(case["_id"], None, None)
        code = new_code()
        event = {"at": now, "actor": actor, "from": case["stage"], "to": case["stage"],
                 "note": "", "kind": EVENT_KIND}
        updated = repo.replace_tracking(case, code_hash(code), event)
        if updated is not None:
            return Resend(updated["_id"], updated["reference"], code)
    raise RuntimeError(f"the tracking code of case {case['_id']} kept changing; try again")


def _filed_before(case: dict[str, Any], moment: datetime) -> bool:
    """MongoDB gives back naive UTC datetimes; `moment` may carry its zone."""
    created = case["created_at"]
    if created.tzinfo is None and moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return created < moment
