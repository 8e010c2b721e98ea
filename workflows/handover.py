"""Cross-border handover: sharing a case with another team or organisation, and
transferring it to another team, planned as plain data (docs/handover.md).

Pure core: the case, the actor, what they asked and the clock in; the new `shares`
list (or the new team) and the timeline event out, or a `TransitionNotAllowed` saying
why not. Nothing here writes: `CaseService` hands the plan to the repository, which
writes it with one update guarded by the case's version, so of two people deciding
one share at once exactly one succeeds.

A share names its receiver (`to: {kind: team|org, key}`), a purpose, an access level
(`full`, or `no_identity`: the receiver reads the case pseudonymised) and an expiry
date. Identity leaves the handling team only with the reporter's explicit consent to
referral to partners (`consent.referral is True`); without it only `no_identity` is
offered. A share is `offered`, then `accepted` or `refused` by its receiver, and an
offered or accepted share ends as `revoked` (by the handling side) or `expired`.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from workflows.errors import Refusal, TransitionNotAllowed
from workflows.scope import access_of, receives, teams_of

PURPOSES = ("legal_aid", "shelter", "embassy", "repatriation", "follow_up")
ACCESS = ("full", "no_identity")
KINDS = ("team", "org")
#: States in which a share still gives (or may come to give) access.
OPEN_STATES = ("offered", "accepted")
STATES = ("offered", "accepted", "refused", "expired", "revoked")
#: The consent purpose that covers identity leaving the handling team.
CONSENT_PURPOSE = "referral"
MAX_NOTE = 2000
MAX_DAYS = 366
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SHARE_ID = re.compile(r"^s_[0-9a-f]{8,32}$")
KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
#: Who may share, transfer and revoke: those who act on the case.
ACTING = ("all", "handling")


def refuse(reason: Refusal, message: str, *fields: str) -> TransitionNotAllowed:
    return TransitionNotAllowed(reason, message, fields=tuple(fields))


def consent_to_referral(case: Mapping[str, Any]) -> str:
    """"given", "declined" or "not_recorded": what the reporter answered about referral
    to partners. Only an explicit True is consent."""
    consent = case.get("consent")
    value = consent.get(CONSENT_PURPOSE) if isinstance(consent, Mapping) else None
    if value is True:
        return "given"
    return "declined" if value is False else "not_recorded"


def allowed_access(case: Mapping[str, Any]) -> tuple[str, ...]:
    """The access levels a share of this case may have."""
    return ACCESS if consent_to_referral(case) == "given" else ("no_identity",)


def check_acting(actor: Mapping[str, Any], case: Mapping[str, Any]) -> None:
    """Refuse anyone but the handling team's reviewers and coordinators."""
    if access_of(actor, case) not in ACTING:
        raise refuse(Refusal.ROLE_NOT_ALLOWED, "Only the team handling the case shares, "
                     "transfers or revokes it.")


def plan_share(case: Mapping[str, Any], actor: Mapping[str, Any], values: Mapping[str, Any],
               now: datetime, teams: Mapping[str, Any],
               orgs: Mapping[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The case's shares with a new offer added, and that share.

    `teams` are the routing's teams (key -> countries); `orgs` the active member
    organisations (id -> country). The receiver is another team, or an organisation
    other than the one that filed the case; it may hold one open share at a time.
    """
    check_acting(actor, case)
    to = _receiver(case, values, teams, orgs)
    purpose = values.get("purpose")
    if purpose not in PURPOSES:
        raise refuse(Refusal.INVALID_DATA, "Choose what the case is shared for.", "purpose")
    access = values.get("access")
    if access not in ACCESS:
        raise refuse(Refusal.INVALID_DATA, "Choose what the receiver may see.", "access")
    if access not in allowed_access(case):
        raise refuse(Refusal.INVALID_DATA, "The reporter did not consent to referral to "
                     "partners: share the case without identifying data.", "access")
    shares = [dict(s) for s in case.get("shares") or () if isinstance(s, Mapping)]
    if any(s.get("to") == to and s.get("state") in OPEN_STATES for s in shares):
        raise refuse(Refusal.INVALID_DATA, "The case is already shared with them.", "to")
    share = {"id": f"s_{secrets.token_hex(8)}", "to": to, "purpose": purpose,
             "access": access, "state": "offered", "offered_by": str(actor["id"]),
             "offered_at": now, "from_team": case.get("team"),
             "decided_by": None, "decided_at": None,
             "expires_at": _expiry(values.get("expires"), now), "note": _note(values.get("note")),
             "reason": ""}
    return [*shares, share], share


def _receiver(case: Mapping[str, Any], values: Mapping[str, Any], teams: Mapping[str, Any],
              orgs: Mapping[str, Any]) -> dict[str, str]:
    kind, key = values.get("kind"), values.get("key")
    if kind not in KINDS or not isinstance(key, str) or not KEY.match(key):
        raise refuse(Refusal.MISSING_DATA, "Choose the team or organisation to share with.",
                     "to")
    if kind == "team" and (key not in teams or key == case.get("team")):
        raise refuse(Refusal.INVALID_DATA, "Choose another team than the one handling the "
                     "case.", "to")
    if kind == "org" and (key not in orgs or
                          key == (case.get("reporter") or {}).get("org_id")):
        raise refuse(Refusal.INVALID_DATA, "Choose a member organisation other than the "
                     "one that filed the case.", "to")
    return {"kind": kind, "key": key}


def _expiry(value: Any, now: datetime) -> datetime:
    """The start of the expiry date, UTC: after today, within `MAX_DAYS`."""
    try:
        if not isinstance(value, str) or not DATE.match(value.strip()):
            raise ValueError(value)
        at = datetime.strptime(value.strip(), "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise refuse(Refusal.INVALID_DATA, "The share needs an end date such as 2026-04-30.",
                     "expires") from None
    if at <= now or at > now + timedelta(days=MAX_DAYS):
        raise refuse(Refusal.INVALID_DATA, f"The end date must lie after today and within "
                     f"{MAX_DAYS} days.", "expires")
    return at


def _note(value: Any) -> str:
    note = value.strip() if isinstance(value, str) else ""
    if len(note) > MAX_NOTE:
        raise refuse(Refusal.INVALID_DATA, f"The note is longer than {MAX_NOTE} characters.",
                     "note")
    return note


def plan_decision(case: Mapping[str, Any], actor: Mapping[str, Any], share_id: Any,
                  accept: bool, reason: Any, now: datetime
                  ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The shares with `share_id` accepted or refused by one of its receivers.

    A refusal needs a reason; an offer past its end date can no longer be accepted.
    """
    shares, index = _find(case, share_id)
    share = shares[index]
    if not receives(actor, share):
        raise refuse(Refusal.ROLE_NOT_ALLOWED, "Only the team or organisation the case was "
                     "shared with accepts or refuses it.")
    if share.get("state") != "offered" or _past(share, now):
        raise refuse(Refusal.NOT_FROM_THIS_STAGE, "This share is no longer waiting for an "
                     "answer.")
    text = _note(reason)
    if not accept and not text:
        raise refuse(Refusal.MISSING_DATA, "Say why the share is refused.", "reason")
    shares[index] = {**share, "state": "accepted" if accept else "refused",
                     "decided_by": str(actor["id"]), "decided_at": now, "reason": text}
    return shares, shares[index]


def plan_revoke(case: Mapping[str, Any], actor: Mapping[str, Any], share_id: Any,
                reason: Any, now: datetime) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The shares with `share_id` revoked by the handling side."""
    check_acting(actor, case)
    shares, index = _find(case, share_id)
    share = shares[index]
    if share.get("state") not in OPEN_STATES:
        raise refuse(Refusal.NOT_FROM_THIS_STAGE, "This share has already ended.")
    shares[index] = {**share, "state": "revoked", "ended_by": str(actor["id"]),
                     "ended_at": now, "reason": _note(reason) or share.get("reason", "")}
    return shares, shares[index]


def expired_shares(case: Mapping[str, Any], now: datetime
                   ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The shares with every open one past its end date marked expired, and those."""
    shares = [dict(s) for s in case.get("shares") or () if isinstance(s, Mapping)]
    ended = []
    for index, share in enumerate(shares):
        if share.get("state") in OPEN_STATES and _past(share, now):
            shares[index] = {**share, "state": "expired", "ended_at": now}
            ended.append(shares[index])
    return shares, ended


def next_expiry(shares: Any) -> datetime | None:
    """When the sweep should look at the case next: its earliest open share's end."""
    dates = [s["expires_at"] for s in shares or () if isinstance(s, Mapping)
             and s.get("state") in OPEN_STATES and isinstance(s.get("expires_at"), datetime)]
    return min(dates) if dates else None


def plan_transfer(case: Mapping[str, Any], actor: Mapping[str, Any], team: Any,
                  teams: Mapping[str, Any]) -> dict[str, Any]:
    """The changes that hand the case to `team`: the old team keeps its status only."""
    check_acting(actor, case)
    if not isinstance(team, str) or team not in teams or team == case.get("team"):
        raise refuse(Refusal.INVALID_DATA, "Choose another team than the one handling the "
                     "case.", "team")
    former = [t for t in case.get("former_teams") or () if t != team]
    if case.get("team") and case["team"] not in former:
        former.append(case["team"])
    return {"team": team, "former_teams": former, "assignee": None}


def offered_to(actor: Mapping[str, Any], case: Mapping[str, Any],
               now: datetime) -> list[Mapping[str, Any]]:
    """The shares of `case` waiting for the actor's answer."""
    return [s for s in case.get("shares") or () if isinstance(s, Mapping)
            and s.get("state") == "offered" and not _past(s, now) and receives(actor, s)]


def receiver_filter(actor: Mapping[str, Any]) -> dict[str, Any] | None:
    """A Mongo filter of the cases with a share offered to or accepted by the actor's
    teams or organisation; None when the actor receives none."""
    keys = [{"to.kind": "team", "to.key": t} for t in teams_of(actor)
            if "reviewer" in (actor.get("roles") or ())]
    org = actor.get("org_id")
    if "member" in (actor.get("roles") or ()) and isinstance(org, str) and org:
        keys.append({"to.kind": "org", "to.key": org})
    if not keys:
        return None
    branches = [{"shares": {"$elemMatch": {**k, "state": {"$in": list(OPEN_STATES)}}}}
                for k in keys]
    return branches[0] if len(branches) == 1 else {"$or": branches}


def _find(case: Mapping[str, Any], share_id: Any) -> tuple[list[dict[str, Any]], int]:
    shares = [dict(s) for s in case.get("shares") or () if isinstance(s, Mapping)]
    if isinstance(share_id, str) and SHARE_ID.match(share_id):
        for index, share in enumerate(shares):
            if share.get("id") == share_id:
                return shares, index
    raise refuse(Refusal.INVALID_DATA, "There is no such share on this case.")


def _past(share: Mapping[str, Any], now: datetime) -> bool:
    at = share.get("expires_at")
    if isinstance(at, datetime) and at.tzinfo is None:
        at = at.replace(tzinfo=UTC)  # stores hand datetimes back naive, in UTC
    return isinstance(at, datetime) and at <= now
