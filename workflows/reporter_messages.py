"""Questions to the reporter, their replies and consent changes: the way back to a case.

A reviewer asks the reporter a question from the case page; the reporter reads it on
the status page (reference and private tracking code) and answers in text, with
files, and may withdraw or give consent per purpose. Everything lands on the case:

- ``messages``: ``{id, kind: question|reply, at, by, sealed, attachments}``. The text
  is sealed like the sensitive answers (`workflows.sealing`), because a reply can
  name the people involved; the case timeline carries only the message id.
- ``consent.<purpose>``: the current consent, which every output reads
  (`exports.consent`), so a withdrawal takes effect in every export, indicator
  table and report produced afterwards; each change is an event with its time.

Asking may also move the case to ``needs_info`` (the ``request_info`` transition),
and a reply to a case waiting there moves it back (``provide_info``), in the same
guarded write as the message: the question or reply is never stored without the
stage change it came with, nor the other way round. Replies and consent changes are
written for the reporter, who holds no version number, so a concurrent change by a
reviewer makes the write retry on the case as it now is.

Reply files take the intake's path (`workflows.attachments`): all checked first,
stored pending, the case written, then marked attached; a failed write deletes the
files it stored, so a refused or failed reply leaves nothing behind.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from forms.vocabulary import CONSENT_PURPOSES
from workflows.attachments import Upload
from workflows.case_service import CASEWORKER_ROLES, timeline_event
from workflows.deadlines import deadline_fields
from workflows.errors import Refusal, StaleVersion, TransitionNotAllowed
from workflows.scope import access_of, roles_of
from workflows.stages import TransitionResult, apply_transition

QUESTION, REPLY = "question", "reply"
#: Longest question or reply, in characters.
MAX_MESSAGE = 5000
#: The actor recorded for whatever the reporter does through the status page.
REPORTER = {"id": "reporter", "roles": ["reporter"], "org_id": None, "countries": []}
#: Form field the files of a reply are recorded under (`attachments[].field`).
REPLY_FILES = "reply"
WRITE_ATTEMPTS = 3
#: Event kinds this module writes (besides the transitions, which carry `data.message`).
EVENT_KINDS = (QUESTION, REPLY, "consent")


def message_text(value: Any) -> str:
    """The stripped text of a question or reply; `TransitionNotAllowed` when unusable."""
    if not isinstance(value, str) or len(value) > MAX_MESSAGE:
        raise TransitionNotAllowed(Refusal.INVALID_DATA,
                                   f"A message is text of up to {MAX_MESSAGE} characters.",
                                   fields=("text",))
    return value.strip()


def new_message(kind: str, text: str, by: str, now: Any, sealer: Any,
                attachments: list[str] | None = None) -> dict[str, Any]:
    """A message as stored: its text sealed, its files named by attachment id."""
    return {"id": f"m_{secrets.token_hex(8)}", "kind": kind, "at": now, "by": by,
            "sealed": sealer.seal({"text": text}) if text else None,
            "attachments": list(attachments or ())}


def opened_messages(case: Mapping[str, Any], sealer: Any) -> list[dict[str, Any]]:
    """The case's messages, oldest first, each with `text` opened and its files listed."""
    files = {a.get("id"): a for a in case.get("attachments") or ()}
    opened = []
    for message in case.get("messages") or ():
        text = str(sealer.open(message.get("sealed")).get("text", "")) if message.get(
            "sealed") else ""
        opened.append({**message, "text": text,
                       "files": [files[i] for i in message.get("attachments") or () if i in files]})
    return opened


#: Transitions whose note is written to or by the reporter: asked and answered through
#: the step forms or the API rather than through messages, with the text in the note.
NOTE_KINDS = {"request_info": QUESTION, "provide_info": REPLY}


def conversation(case: Mapping[str, Any], sealer: Any) -> list[dict[str, Any]]:
    """Everything said between the caseworkers and the reporter, oldest first: the
    sealed messages, and the notes of ``request_info`` and ``provide_info`` steps taken
    without a message (the "Ask for information" step form, the API)."""
    said = opened_messages(case, sealer)
    for index, event in enumerate(case.get("events") or ()):
        kind = NOTE_KINDS.get(event.get("transition") or "")
        if kind and event.get("note") and not (event.get("data") or {}).get("message"):
            said.append({"id": f"e{index}", "kind": kind, "at": event.get("at"),
                         "by": event.get("actor"), "text": event["note"], "files": [],
                         "attachments": []})
    return sorted(said, key=lambda m: m["at"])


def open_question(messages: list[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The latest question not followed by a reply, if any."""
    for message in reversed(messages):
        if message.get("kind") == REPLY:
            return None
        if message.get("kind") == QUESTION:
            return message
    return None


def has_contact(definition: Any, case: Mapping[str, Any], sensitive: Mapping[str, Any]) -> bool:
    """Whether the reporter left a way to reach them besides the status page.

    An account (a registered reporter is told in the app), or any answer to a
    question the form marks ``personal: contact`` (phone, e-mail, safe contact),
    whether stored plain or sealed (`sensitive` is the opened sealed answers).
    """
    if (case.get("reporter") or {}).get("user_id"):
        return True
    fields = [f.id for f in definition.fields() if f.personal == "contact"] if definition else []
    answers = {**(case.get("answers") or {}), **(sensitive or {})}
    return any(_given(answers.get(field_id)) for field_id in fields)


def _given(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return value not in (None, [], False)


def consent_changes(purpose: str, given: bool) -> dict[str, Any]:
    """The `$set` of one consent change; `TransitionNotAllowed` for an unknown purpose."""
    if purpose not in CONSENT_PURPOSES or not isinstance(given, bool):
        raise TransitionNotAllowed(Refusal.INVALID_DATA, "There is no such consent.",
                                   fields=("purpose",))
    return {f"consent.{purpose}": given}


class ReporterChannel:
    """Ask, reply and change consent, written through the case repository.

    Built on the `CaseService` (its repository, stage graphs, clock and notifier), so
    it writes cases the same guarded way and tells the same people.
    """

    def __init__(self, service: Any, sealer: Any, attachments: Any) -> None:
        self.service = service
        self.repo = service.repo
        self.sealer = sealer
        self.attachments = attachments

    # -- the reviewer's side -------------------------------------------------------

    def ask(self, case: Mapping[str, Any], actor: Mapping[str, Any], text: str, *,
            wait: bool, expected_version: int) -> dict[str, Any]:
        """Put a question to the reporter; with `wait`, also move the case to needs_info.

        :raise TransitionNotAllowed: not a caseworker of the case, a finished case,
            empty text, or `wait` when ``request_info`` cannot be taken now.
        :raise StaleVersion: the case changed since the page was read.
        """
        self._check_asker(case, actor)
        text = message_text(text)
        if not text:
            raise TransitionNotAllowed(Refusal.MISSING_DATA, "Write the question.",
                                       fields=("text",))
        if case.get("version") != expected_version:
            raise StaleVersion(str(case.get("_id")), case.get("stage"), expected_version)
        now = self.service.clock()
        message = new_message(QUESTION, text, str(actor["id"]), now, self.sealer)
        if wait:
            result = self._transition(case, "request_info", actor, text, message["id"])
            updated = self.repo.apply(case, result, deadline_fields(result.changes["deadlines"]),
                                      push={"messages": message})
        else:
            event = timeline_event(QUESTION, case, actor, now, data={"message": message["id"]})
            updated = self.repo.record(case, event, {"updated_at": now},
                                       push={"messages": message})
        user = (updated.get("reporter") or {}).get("user_id")
        if user:
            self.service.notify("info_requested", updated, [f"user:{user}"],
                                f"question:{updated['_id']}:{message['id']}")
        return updated

    def _check_asker(self, case: Mapping[str, Any], actor: Mapping[str, Any]) -> None:
        # the handling team and coordinators: not a team the case is shared with
        acting = access_of(self.service.with_teams(actor), case) in ("all", "handling")
        if not acting or roles_of(actor).isdisjoint(CASEWORKER_ROLES):
            raise TransitionNotAllowed(Refusal.ROLE_NOT_ALLOWED,
                                       "Only the case's reviewers and coordinators ask the "
                                       "reporter.")
        self._check_open(case)

    def _check_open(self, case: Mapping[str, Any]) -> None:
        if case.get("stage") in self.service.graph_for(case).terminal_stages:
            raise TransitionNotAllowed(Refusal.NOT_FROM_THIS_STAGE,
                                       "A finished case takes no more questions or replies.",
                                       stage=case.get("stage"))

    # -- the reporter's side -------------------------------------------------------

    def reply(self, case_id: str, text: str, uploads: list[Upload]) -> dict[str, Any]:
        """The reporter's answer: text, files or both. A case waiting for information
        goes back to review. Files are checked before anything is stored.

        :raise TransitionNotAllowed: nothing given, text too long, a finished case.
        :raise AttachmentsRefused: a file was refused; nothing was stored.
        """
        text = message_text(text)
        checked = self.attachments.check(uploads)
        if not text and not checked:
            raise TransitionNotAllowed(Refusal.MISSING_DATA, "Write an answer or add a file.",
                                       fields=("text",))
        case = self._current(case_id)
        self._check_open(case)
        entries = self.attachments.put_pending(checked, str(case["_id"])) if checked else []
        try:
            updated = self._write_reply(case, text, entries)
        except Exception:
            self.attachments.discard([e["id"] for e in entries])
            raise
        if entries:
            self.attachments.mark_attached(str(updated["_id"]))
        message = updated["messages"][-1]
        self.service.notify("reporter_message", updated, self.service.holders(updated),
                            f"reply:{updated['_id']}:{message['id']}")
        return updated

    def _write_reply(self, case: Mapping[str, Any], text: str,
                     entries: list[dict[str, Any]]) -> dict[str, Any]:
        for attempt in range(WRITE_ATTEMPTS):
            now = self.service.clock()
            message = new_message(REPLY, text, REPORTER["id"], now, self.sealer,
                                  [e["id"] for e in entries])
            files = [{**e, "field": REPLY_FILES, "message": message["id"], "added_at": now}
                     for e in entries]
            push = {"messages": message, **({"attachments": {"$each": files}} if files else {})}
            try:
                if self._replies_to_request(case):
                    result = self._transition(case, "provide_info", REPORTER, text or "files",
                                              message["id"])
                    return self.repo.apply(case, result,
                                           deadline_fields(result.changes["deadlines"]), push=push)
                event = timeline_event(REPLY, case, REPORTER, now, data={"message": message["id"]})
                return self.repo.record(case, event, {"updated_at": now}, push=push)
            except StaleVersion:
                if attempt == WRITE_ATTEMPTS - 1:
                    raise
                case = self._current(str(case["_id"]))
                self._check_open(case)
        raise AssertionError("unreachable")

    def _replies_to_request(self, case: Mapping[str, Any]) -> bool:
        graph = self.service.graph_for(case)
        return any(t.name == "provide_info" for t in graph.available(case, {"reporter"}))

    def set_consent(self, case_id: str, purpose: str, given: bool) -> dict[str, Any]:
        """Withdraw or give consent to one purpose, from now on; recorded on the timeline.
        Setting what is already recorded writes nothing."""
        changes = consent_changes(purpose, given)
        for attempt in range(WRITE_ATTEMPTS):
            case = self._current(case_id)
            if (case.get("consent") or {}).get(purpose) is given:
                return case
            now = self.service.clock()
            event = timeline_event("consent", case, REPORTER, now,
                                   data={"purpose": purpose, "given": given})
            try:
                updated = self.repo.record(case, event, {**changes, "updated_at": now})
            except StaleVersion:
                if attempt == WRITE_ATTEMPTS - 1:
                    raise
                continue
            self.service.notify("consent_changed", updated, self.service.holders(updated),
                                f"consent:{updated['_id']}:{updated['version']}")
            return updated
        raise AssertionError("unreachable")

    # -- helpers -------------------------------------------------------------------

    def _current(self, case_id: str) -> dict[str, Any]:
        case = self.repo.get(str(case_id))
        if case is None:
            raise TransitionNotAllowed(Refusal.INVALID_DATA, "There is no such case.")
        return case

    def _transition(self, case: Mapping[str, Any], name: str, actor: Mapping[str, Any],
                    note: str, message_id: str) -> TransitionResult:
        """The transition, with the message id on its event instead of the text: the
        text is only ever stored sealed."""
        result = apply_transition(case, name, actor, {"note": note}, self.service.clock(),
                                  self.service.graph_for(case))
        event = {**result.event, "note": "", "data": {**(result.event.get("data") or {}),
                                                      "message": message_id}}
        return TransitionResult(result.changes, event)
