"""The case service: every change a person or a task makes to a case goes through here.

It joins the pure cores (stage machine, routing, follow-ups, scope) to the case
repository. Each method loads nothing it was not given except in `route`, checks
everything first, then writes once with an update guarded on the case's version (and
stage, for transitions), so a change is either all there or not there; of two people
acting at once one wins and the other gets `StaleVersion` with nothing written.
Notifications are written only after that write succeeded (side effects after
durability), and each has a stable id, so a retried call adds no second one.

No pymongo here: the repository and the notifier are the edges.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

from forms.answer_rules import MAX_TEXTAREA_CHARS
from forms.vocabulary import ITEM_ID_PATTERN
from workflows.deadlines import deadline_fields
from workflows.errors import Refusal, StaleVersion, TransitionNotAllowed
from workflows.follow_ups import changed_action, find_action, new_action, next_due
from workflows.handover import (
    expired_shares,
    next_expiry,
    plan_decision,
    plan_revoke,
    plan_share,
    plan_transfer,
)
from workflows.routing import RoutingRules, decide_route
from workflows.routing_provider import RoutingSource, as_source
from workflows.scope import access_of, case_filter_for, roles_of, teams_covering
from workflows.sealing import SealError
from workflows.search_terms import search_terms
from workflows.staff_answers import StaffAnswersRefused, merged_answers, staff_answer_changes
from workflows.stages import StageGraph, Transition, TransitionResult, apply_transition

log = logging.getLogger("mrvrs.workflow")

SYSTEM: dict[str, Any] = {"id": "system", "roles": ["system"], "org_id": None, "countries": []}
CASEWORKER_ROLES = frozenset({"reviewer", "coordinator"})
NOTE_ROLES = frozenset({"reviewer", "coordinator", "member"})
#: A question id, as the form-definition format writes it (`forms.vocabulary`).
FIELD_ID = re.compile(ITEM_ID_PATTERN)
#: Longest approved narrative: the longest narrative a reporter may write.
MAX_APPROVED_TEXT = MAX_TEXTAREA_CHARS
FOLLOW_UP_STAGES = frozenset({"verified", "follow_up"})
#: Access levels that act on a case (`workflows.scope.access_of`): the handling team,
#: a coordinator, and the member organisation or reporter that filed it.
ACTING_LEVELS = frozenset({"all", "handling", "own"})
#: Access levels of an accepted share: its receivers act through follow-up actions only.
SHARE_LEVELS = frozenset({"full", "no_identity"})
MAX_NOTE = 10_000
MAX_DUPLICATES = 20
ROUTE_ATTEMPTS = 3


class Notifier(Protocol):
    def notify(self, kind: str, case: Mapping[str, Any], addresses: list[str],
               key: str) -> list[str]: ...


class CaseService:
    """Move cases through their lifecycle on behalf of an actor or the system."""

    def __init__(self, repo: Any, graphs: Mapping[str | None, StageGraph],
                 rules: RoutingRules | RoutingSource, identity_secret: bytes,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC), *,
                 notifier: Notifier | None = None,
                 staff_check: Callable[[str, Mapping[str, Any]], bool] | None = None) -> None:
        """`staff_check(user_id, case)` tells whether a user may be given the case; `rules`
        is the rules or, in the app and the worker, the provider of the rules in force."""
        if None not in graphs:
            raise ValueError("graphs needs the default stage graph under the key None")
        self.repo = repo
        self.graphs = graphs
        self.routing = as_source(rules)
        self.identity_secret = identity_secret
        self.clock = clock
        self.notifier = notifier
        self.staff_check = staff_check

    @property
    def rules(self) -> RoutingRules:
        """The routing rules in force now (a version saved by an administrator applies
        within the provider's refresh time)."""
        return self.routing.current()

    def graph_for(self, case: Mapping[str, Any]) -> StageGraph:
        """The country's own lifecycle when it has one, else the default."""
        return self.graphs.get(case.get("country")) or self.graphs[None]

    def available(self, case: Mapping[str, Any], actor: Mapping[str, Any]) -> list[Transition]:
        """The transitions `actor` may take on `case` now (none on a case they do not act on)."""
        actor = self.with_teams(actor)
        if access_of(actor, case) not in ACTING_LEVELS:
            return []
        return self.graph_for(case).available(case, roles_of(actor))

    # -- transitions -------------------------------------------------------------

    def transition(self, case: Mapping[str, Any], name_or_to: str, actor: Mapping[str, Any],
                   data: Mapping[str, Any] | None, expected_version: int) -> dict[str, Any]:
        """Take a transition for `actor`; returns the case as stored afterwards.

        :raise TransitionNotAllowed: a rule is broken; nothing was written.
        :raise StaleVersion: the case changed since `expected_version` was read.
        """
        actor = self.with_teams(actor)
        self._check_visible(case, actor)
        if isinstance(expected_version, bool) or not isinstance(expected_version, int):
            raise TransitionNotAllowed(Refusal.INVALID_DATA,
                                       "version must be the case's version number.",
                                       fields=("version",))
        if case.get("version") != expected_version:
            raise StaleVersion(str(case.get("_id")), case.get("stage"), expected_version)
        graph = self.graph_for(case)
        result = apply_transition(case, name_or_to, actor, data, self.clock(), graph)
        if result.changes.get("duplicate_of"):
            self._check_original(case, actor, result)
        updated = self.repo.apply(case, result, deadline_fields(result.changes["deadlines"]))
        self._after_transition(result, updated)
        return updated

    def _check_original(self, case: Mapping[str, Any], actor: Mapping[str, Any],
                        result: TransitionResult) -> None:
        """The case named as the original must exist and be in the actor's scope.

        Both failures give one refusal, from one scoped query, so the form cannot be
        used to learn which references exist outside the actor's scope. The stored
        reference is the original's own spelling.
        """
        named = result.changes["duplicate_of"]
        original = self.repo.by_reference(named, within=case_filter_for(actor))
        if original is None or original["_id"] == case.get("_id"):
            message = ("A case cannot be a duplicate of itself." if original is not None else
                       f"There is no case {named} among the cases you can see.")
            raise TransitionNotAllowed(Refusal.INVALID_DATA, message,
                                       transition=result.event.get("transition"),
                                       stage=case.get("stage"), fields=("duplicate_of",))
        result.changes["duplicate_of"] = original["reference"]
        if "duplicate_of" in (result.event.get("data") or {}):
            result.event["data"]["duplicate_of"] = original["reference"]

    def provide_info(self, case: Mapping[str, Any], actor: Mapping[str, Any],
                     note: str) -> dict[str, Any]:
        """The member or reporter answers a request for information."""
        return self.transition(case, "provide_info", actor, {"note": note}, case["version"])

    def _after_transition(self, result: TransitionResult, case: Mapping[str, Any]) -> None:
        key = f"{result.event.get('transition')}:{case['_id']}:{case['version']}"
        if result.event.get("transition") == "request_info":
            user = (case.get("reporter") or {}).get("user_id")
            if user:
                self.notify("info_requested", case, [f"user:{user}"], key)
        elif result.event.get("transition") == "provide_info":
            self.notify("info_provided", case, self.holders(case), key)

    # -- routing -----------------------------------------------------------------

    def route(self, case_id: str) -> dict[str, Any] | None:
        """Route a submitted case: team, priority, possible duplicates, then in review.

        Idempotent: a case no longer in the initial stage is returned unchanged, and a
        concurrent change makes the guarded write miss and the case is read again.
        """
        for _ in range(ROUTE_ATTEMPTS):
            case = self.repo.get(str(case_id))
            if case is None:
                return None
            graph = self.graph_for(case)
            if case.get("stage") != graph.initial:
                self._announce_routing(case)  # completes what a run that died began
                return case
            result, extra = self._routing(case, graph)
            try:
                routed = self.repo.apply(case, result, extra)
            except StaleVersion:
                continue  # changed meanwhile (a note, another routing): look again
            self._announce_routing(routed)
            return routed
        return self.repo.get(str(case_id))

    def announce_arrival(self, case: Mapping[str, Any], key: str) -> None:
        """Tell every caseworker of the case's team, in the app, that it reached them.

        Call it after any write that puts a case on a team (routing, a transfer, a
        re-route), with `key` naming that move (such as the event's time): the
        notification ids come from it, so a retried task or a re-run tells nobody twice,
        while a later move to the same team is news again.
        """
        team = case.get("team")
        if team:
            self.notify("new_case", case, [f"team:{team}"], f"new_case:{case['_id']}:{key}")

    def _announce_routing(self, case: Mapping[str, Any]) -> None:
        """The arrival that routing made, once more: ids are stable, so only a notice lost
        by a run that died after its write is written now; a case moved to another team
        since (its `routing.team` no longer its team) is left to that move."""
        routing = case.get("routing") or {}
        at = routing.get("routed_at")
        if (isinstance(at, datetime) and routing.get("team") == case.get("team")
                and case.get("stage") not in self.graph_for(case).terminal_stages):
            self.announce_arrival(case, f"{routing['team']}:{at.isoformat()}")

    def _routing(self, case: Mapping[str, Any],
                 graph: StageGraph) -> tuple[TransitionResult, dict[str, Any]]:
        now = self.clock()
        rules = self.rules  # one version for the whole decision
        decision = decide_route(case, rules)
        duplicates = self.possible_duplicates(case, rules)
        result = apply_transition(case, "route", SYSTEM, {}, now, graph)
        event = {**result.event, "data": {"team": decision.team, "priority": decision.priority,
                                          "reasons": list(decision.reasons),
                                          "possible_duplicates": duplicates}}
        extra = {"team": decision.team, "priority": decision.priority,
                 "possible_duplicates": duplicates,
                 "caseworker_gender": decision.caseworker_gender,
                 "search_terms": search_terms(case), "routing.routed_at": now,
                 "routing.team": decision.team,
                 **deadline_fields(result.changes["deadlines"])}
        return TransitionResult(result.changes, event), extra

    def possible_duplicates(self, case: Mapping[str, Any],
                            rules: RoutingRules | None = None) -> list[str]:
        """References of other cases sharing a duplicate key, filed within the window.

        Registers the case under its keys in the duplicate-key table and gets back, in
        the same exchange, the cases already there (`CaseRepository.register_duplicate_keys`):
        reads by `_id` of keyed hashes, never a query on the cases, and names and document
        numbers never in plain text. Idempotent, as routing is delivered at least once.
        Of the cases in the window, the newest `MAX_DUPLICATES + 1` count, the case itself
        among them, which is then left out. A case filed but not yet routed is not in the
        table: the one routed later of two such cases lists the other.
        """
        keys = [k for k in case.get("duplicate_keys") or () if isinstance(k, str)]
        created = case.get("created_at")
        if not keys or not isinstance(created, datetime):
            return []
        since = (rules or self.rules).duplicates_since(created)
        found = [c for c in self.repo.register_duplicate_keys(case) if c["created_at"] >= since]
        found.sort(key=lambda c: c["created_at"], reverse=True)
        return sorted({c["reference"] for c in found[:MAX_DUPLICATES + 1]
                       if c["id"] != str(case["_id"])})

    # -- same-stage changes --------------------------------------------------------

    def claim(self, case: Mapping[str, Any], actor: Mapping[str, Any]) -> dict[str, Any]:
        """Take the case on oneself."""
        self._check_caseworker(case, actor)
        return self._assign(case, actor, str(actor["id"]))

    def assign(self, case: Mapping[str, Any], actor: Mapping[str, Any],
               assignee_id: str) -> dict[str, Any]:
        """Give the case to a reviewer or coordinator who may see it; they are notified."""
        self._check_caseworker(case, actor)
        if not isinstance(assignee_id, str) or not assignee_id.strip():
            raise TransitionNotAllowed(Refusal.MISSING_DATA, "Say whom to assign the case to.",
                                       fields=("assignee",))
        assignee_id = assignee_id.strip()
        if self.staff_check is not None and not self.staff_check(assignee_id, case):
            raise TransitionNotAllowed(
                Refusal.INVALID_DATA,
                "The case can only be assigned to an active reviewer or coordinator "
                "who covers its country.", fields=("assignee",))
        updated = self._assign(case, actor, assignee_id)
        if assignee_id != actor["id"]:
            self.notify("assignment", updated, [f"user:{assignee_id}"],
                         f"assignment:{updated['_id']}:{updated['version']}")
        return updated

    def _assign(self, case: Mapping[str, Any], actor: Mapping[str, Any],
                assignee_id: str) -> dict[str, Any]:
        now = self.clock()
        event = timeline_event("assignment", case, actor, now, data={"assignee": assignee_id,
                                                                  "previous": case.get("assignee")})
        return self.repo.record(case, event, {"assignee": assignee_id, "updated_at": now})

    def add_note(self, case: Mapping[str, Any], actor: Mapping[str, Any],
                 text: str) -> dict[str, Any]:
        """An internal note on the timeline; never shown to the reporter."""
        self._check_visible(case, actor)
        if roles_of(actor).isdisjoint(NOTE_ROLES):
            raise TransitionNotAllowed(Refusal.ROLE_NOT_ALLOWED,
                                       "Only caseworkers and member staff add notes.")
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_NOTE:
            raise TransitionNotAllowed(Refusal.INVALID_DATA,
                                       f"A note is text of 1 to {MAX_NOTE} characters.",
                                       fields=("note",))
        now = self.clock()
        event = timeline_event("note", case, actor, now, note=text.strip())
        return self.repo.record(case, {**event, "internal": True}, {"updated_at": now})

    def approve_text(self, case: Mapping[str, Any], actor: Mapping[str, Any],
                     field_id: str, text: str) -> dict[str, Any]:
        """A reviewer's redacted version of a narrative, approved for pseudonymised and
        aggregate outputs (exports.redaction): the only version of it that leaves."""
        self._check_visible(case, actor)
        if roles_of(actor).isdisjoint(CASEWORKER_ROLES):
            raise TransitionNotAllowed(Refusal.ROLE_NOT_ALLOWED,
                                       "Only reviewers and coordinators approve narratives.")
        if not isinstance(field_id, str) or not FIELD_ID.match(field_id):
            raise TransitionNotAllowed(Refusal.INVALID_DATA, "There is no such question.")
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_APPROVED_TEXT:
            raise TransitionNotAllowed(
                Refusal.INVALID_DATA,
                f"An approved narrative is text of 1 to {MAX_APPROVED_TEXT} characters.",
                fields=("text",))
        now = self.clock()
        approved = {"text": text.strip(), "by": str(actor["id"]), "at": now}
        event = timeline_event("narrative_approved", case, actor, now, data={"field": field_id})
        return self.repo.record(case, event, {f"approved_texts.{field_id}": approved,
                                              "updated_at": now})

    def answer_for_staff(self, case: Mapping[str, Any], actor: Mapping[str, Any],
                         definition: Any, answers: Mapping[str, Any],
                         sealer: Any) -> dict[str, Any]:
        """Store the answers to the form's staff questions (`workflows.staff_answers`),
        already validated by the staff form of the case's own form version."""
        self._check_visible(case, actor)
        if roles_of(actor).isdisjoint(CASEWORKER_ROLES):
            raise TransitionNotAllowed(Refusal.ROLE_NOT_ALLOWED,
                                       "Only reviewers and coordinators answer staff questions.")
        try:
            opened = sealer.open(case.get("sensitive"))
            plain, sensitive, changed = merged_answers(definition, case.get("answers") or {},
                                                       opened, answers)
        except SealError:
            raise TransitionNotAllowed(Refusal.INVALID_DATA, "The sensitive answers could not "
                                       "be opened with the data key, so none was changed.") from None
        except StaffAnswersRefused as exc:
            raise TransitionNotAllowed(Refusal.INVALID_DATA, "These are not answers to staff "
                                       "questions of this form.", fields=tuple(exc.fields)) from None
        if not changed:
            return dict(case)  # nothing to write: no new version, no event
        now = self.clock()
        changes = {**staff_answer_changes(case, definition, plain, sensitive),
                   "sensitive": sealer.seal(sensitive) if sensitive else None, "updated_at": now}
        event = timeline_event("staff_answers", case, actor, now, data={"fields": changed})
        return self.repo.record(case, event, changes)

    def add_follow_up(self, case: Mapping[str, Any], actor: Mapping[str, Any],
                      action: Mapping[str, Any]) -> dict[str, Any]:
        """Add a follow-up action to a verified case."""
        self._check_follow_up(case, actor)
        now = self.clock()
        created = new_action(action, str(actor["id"]), now)
        actions = [*(case.get("follow_ups") or []), created]
        event = timeline_event("follow_up", case, actor, now,
                            data={"action": created["id"], "added": _public(created)})
        return self.repo.record(case, event, self._follow_up_changes(case, actions, now))

    def update_follow_up(self, case: Mapping[str, Any], actor: Mapping[str, Any],
                         action_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Change an action's status, result, due date, organisation or type."""
        self._check_follow_up(case, actor)
        now = self.clock()
        actions = list(case.get("follow_ups") or [])
        index = find_action(actions, action_id)
        actions[index] = changed_action(actions[index], changes, str(actor["id"]), now)
        event = timeline_event("follow_up", case, actor, now,
                            data={"action": action_id, "changed": _public(dict(changes))})
        return self.repo.record(case, event, self._follow_up_changes(case, actions, now))

    def _follow_up_changes(self, case: Mapping[str, Any], actions: list[Any],
                           now: datetime) -> dict[str, Any]:
        return {"follow_ups": actions, "updated_at": now,
                "follow_up_due_at": next_due(actions, case.get("follow_up_reminders"))}

    # -- handover (workflows.handover, docs/handover.md) -----------------------------

    def share(self, case: Mapping[str, Any], actor: Mapping[str, Any],
              values: Mapping[str, Any], orgs: Mapping[str, Any]) -> dict[str, Any]:
        """Offer the case to another team or organisation; its receivers are told."""
        actor = self.with_teams(actor)
        now = self.clock()
        shares, share = plan_share(case, actor, values, now, self.rules.teams, orgs)
        event = timeline_event("share_offered", case, actor, now, note=share["note"],
                               data=_share_data(share))
        updated = self.repo.write_shares(case, shares, event, {"updated_at": now,
                                                                "share_due_at": next_expiry(shares)})
        to = share["to"]
        address = f"team:{to['key']}" if to["kind"] == "team" else f"org:{to['key']}"
        self.notify("share_offered", updated, [address], f"share:{share['id']}")
        return updated

    def decide_share(self, case: Mapping[str, Any], actor: Mapping[str, Any], share_id: str,
                     accept: bool, reason: str = "") -> dict[str, Any]:
        """Accept or refuse an offered share, as one of its receivers; the write is
        guarded by the version and the share still being offered, so of two answers
        at once one stands and the other gets `StaleVersion`."""
        actor = self.with_teams(actor)
        now = self.clock()
        shares, share = plan_decision(case, actor, share_id, accept, reason, now)
        event = timeline_event("share_accepted" if accept else "share_refused", case, actor,
                               now, note=share["reason"], data=_share_data(share))
        updated = self.repo.write_shares(case, shares, event, {"updated_at": now},
                                         offered=share["id"])
        self.notify("share_decided", updated, [f"user:{share['offered_by']}"],
                    f"share:{share['id']}:{share['state']}")
        return updated

    def revoke_share(self, case: Mapping[str, Any], actor: Mapping[str, Any], share_id: str,
                     reason: str = "") -> dict[str, Any]:
        """End a share from the handling side."""
        actor = self.with_teams(actor)
        now = self.clock()
        shares, share = plan_revoke(case, actor, share_id, reason, now)
        event = timeline_event("share_revoked", case, actor, now, note=share["reason"],
                               data=_share_data(share))
        return self.repo.write_shares(case, shares, event, {"updated_at": now,
                                                            "share_due_at": next_expiry(shares)})

    def transfer(self, case: Mapping[str, Any], actor: Mapping[str, Any], team: str,
                 note: str = "") -> dict[str, Any]:
        """Hand the case to another team, which is told; the old team keeps its status."""
        actor = self.with_teams(actor)
        changes = plan_transfer(case, actor, team, self.rules.teams)
        if not isinstance(note, str) or len(note) > MAX_NOTE:
            raise TransitionNotAllowed(Refusal.INVALID_DATA, "The note is too long.",
                                       fields=("note",))
        now = self.clock()
        event = timeline_event("transfer", case, actor, now, note=note.strip(),
                               data={"from": case.get("team"), "to": team})
        updated = self.repo.record(case, event, {**changes, "updated_at": now})
        self.notify("transfer", updated, [f"team:{team}"], f"transfer:{updated['_id']}:"
                    f"{updated['version']}")
        return updated

    def expire_shares(self, case: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Mark the case's shares past their end date expired (the sweep, idempotent:
        a second run finds nothing open past its date). The shares ended, as the timeline
        event keeps them; none when nothing changed."""
        now = self.clock()
        shares, ended = expired_shares(case, now)
        if not ended:
            return []
        kept = [_share_data(s) for s in ended]
        event = timeline_event("share_expired", case, SYSTEM, now, data={"shares": kept})
        try:
            self.repo.write_shares(case, shares, event, {"share_due_at": next_expiry(shares)})
        except StaleVersion:
            return []  # changed meanwhile: the next run looks again
        return kept

    # -- helpers -------------------------------------------------------------------

    def holders(self, case: Mapping[str, Any]) -> list[str]:
        """Who is told about a case: its assignee, else its team."""
        if case.get("assignee"):
            return [f"user:{case['assignee']}"]
        return [f"team:{case.get('team') or self.rules.fallback_team}"]

    def notify(self, kind: str, case: Mapping[str, Any], addresses: list[str],
                key: str) -> None:
        if self.notifier is not None:
            self.notifier.notify(kind, case, addresses, key)

    def with_teams(self, actor: Mapping[str, Any]) -> dict[str, Any]:
        """The actor with its teams, from the routing in force, when the edge gave none."""
        if "teams" in actor:
            return dict(actor)
        return {**actor, "teams": teams_covering(actor.get("countries"), self.rules.teams)}

    def _check_visible(self, case: Mapping[str, Any], actor: Mapping[str, Any]) -> None:
        """Refuse anyone but those who act on the case: the handling team, a
        coordinator, the organisation or reporter that filed it."""
        if actor.get("id") != SYSTEM["id"] and \
                access_of(self.with_teams(actor), case) not in ACTING_LEVELS:
            raise TransitionNotAllowed(Refusal.ROLE_NOT_ALLOWED, "This case is not yours to act on.")

    def _check_caseworker(self, case: Mapping[str, Any], actor: Mapping[str, Any]) -> None:
        self._check_visible(case, actor)
        if roles_of(actor).isdisjoint(CASEWORKER_ROLES):
            raise TransitionNotAllowed(Refusal.ROLE_NOT_ALLOWED,
                                       "Only reviewers and coordinators take on cases.")
        if case.get("stage") in self.graph_for(case).terminal_stages:
            raise TransitionNotAllowed(Refusal.NOT_FROM_THIS_STAGE,
                                       "A finished case cannot be assigned.",
                                       stage=case.get("stage"))

    def _check_follow_up(self, case: Mapping[str, Any], actor: Mapping[str, Any]) -> None:
        """Caseworkers of the handling team, and the receivers of an accepted share
        (their reviewers, or staff of the receiving organisation)."""
        level = access_of(self.with_teams(actor), case)
        if level in SHARE_LEVELS:
            if roles_of(actor).isdisjoint(CASEWORKER_ROLES | {"member"}):
                raise TransitionNotAllowed(Refusal.ROLE_NOT_ALLOWED,
                                           "Only reviewers and member staff record follow-up.")
        else:
            self._check_visible(case, actor)
        if level not in SHARE_LEVELS and roles_of(actor).isdisjoint(CASEWORKER_ROLES):
            raise TransitionNotAllowed(Refusal.ROLE_NOT_ALLOWED,
                                       "Only reviewers and coordinators record follow-up.")
        if case.get("stage") not in FOLLOW_UP_STAGES:
            raise TransitionNotAllowed(Refusal.NOT_FROM_THIS_STAGE,
                                       "Follow-up actions belong to verified cases.",
                                       stage=case.get("stage"))



def timeline_event(kind: str, case: Mapping[str, Any], actor: Mapping[str, Any], now: datetime,
                   note: str = "", data: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """An event that records an act on the case without moving it (from = to = stage)."""
    event: dict[str, Any] = {"at": now, "actor": str(actor["id"]), "from": case.get("stage"),
                             "to": case.get("stage"), "note": note, "kind": kind}
    if data:
        event["data"] = dict(data)
    return event


def _share_data(share: Mapping[str, Any]) -> dict[str, Any]:
    """What a timeline event keeps of a share (the note and reason go in its note)."""
    return {k: share.get(k) for k in ("id", "to", "purpose", "access", "state", "expires_at")}


def _public(values: Mapping[str, Any]) -> dict[str, Any]:
    """An action's values as recorded in an event (no datetimes computed from them)."""
    return {k: v for k, v in values.items() if k in ("type", "responsible_org", "due",
                                                      "status", "result")}
