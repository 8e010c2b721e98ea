"""`mrvrs audit verify` and `mrvrs audit anchor` on both stores: the tampering a database
intruder can do without the audit key is reported, and anchors catch a cut-off log.

The attacks are written here with nothing but pymongo and hashlib, as an intruder
would write them."""

import hashlib
import json

import pytest

from app.cli import main
from tests.helpers import base_environ


def _mrvrs(runner, *args):
    return runner.invoke(main, list(args), env=base_environ(), catch_exceptions=False)


def _log_of(runner, n: int, first: int = 0) -> None:
    for i in range(first, first + n):
        result = _mrvrs(runner, "users", "create", "--email", f"u{i}@example.org",
                        "--role", "member", "--password", "long enough password")
        assert result.exit_code == 0, result.output


def _plain_hash(event: dict) -> str:
    body = {k: v for k, v in event.items() if k not in ("_id", "hash")}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"),
                                     default=str).encode()).hexdigest()


def _delete_newest(db) -> None:
    db.audit_events.delete_one({"seq": db.audit_events.find_one({}, sort=[("seq", -1)])["seq"]})


def _cut_three_and_set_head_back(db) -> None:
    newest = db.audit_events.find_one({}, sort=[("seq", -1)])["seq"]
    db.audit_events.delete_many({"seq": {"$gt": newest - 3}})
    kept = db.audit_events.find_one({"seq": newest - 3})
    db.audit_head.update_many({}, {"$set": {"seq": kept["seq"], "hash": kept["hash"]},
                                   "$unset": {"event": ""}})


def _alter_and_rehash_the_rest(db) -> None:
    prev = db.audit_events.find_one({"seq": 1})
    for event in list(db.audit_events.find({"seq": {"$gte": 2}}, {"_id": 0}).sort("seq")):
        if event["seq"] == 2:
            event["details"]["email"] = "someone-else@example.org"
        event["prev_hash"] = prev["hash"]
        event["hash"] = _plain_hash(event)
        db.audit_events.replace_one({"seq": event["seq"]}, event)
        prev = event
    db.audit_head.update_many({}, {"$set": {"hash": prev["hash"]}})


@pytest.mark.parametrize("attack", [_delete_newest, _alter_and_rehash_the_rest])
def test_verify__tampering_without_the_key__reported(runner, cli_db, attack):
    _log_of(runner, 5)
    assert _mrvrs(runner, "audit", "verify").exit_code == 0
    attack(cli_db)
    result = _mrvrs(runner, "audit", "verify")
    assert result.exit_code == 1 and "audit log broken at event" in result.output, result.output


@pytest.mark.parametrize("attack", [_delete_newest, _cut_three_and_set_head_back,
                                    _alter_and_rehash_the_rest])
def test_anchor_then_verify__every_attack_after_the_anchor__reported(runner, cli_db, tmp_path,
                                                                     attack):
    _log_of(runner, 5)
    anchor = tmp_path / "anchor.json"
    made = _mrvrs(runner, "audit", "anchor", "--out", str(anchor))
    assert made.exit_code == 0 and "anchored event 6 in" in made.output, made.output
    assert json.loads(anchor.read_text())["seq"] == 6  # the anchor's own event, audit.anchor
    held = _mrvrs(runner, "audit", "verify", "--anchor", str(anchor))
    assert held.exit_code == 0 and "audit log intact: 6 events (its anchor holds)" in held.output
    attack(cli_db)
    result = _mrvrs(runner, "audit", "verify", "--anchor", str(anchor))
    assert result.exit_code == 1 and "audit log broken at event" in result.output, result.output


def test_verify__several_anchors_and_a_forged_one(runner, cli_db, tmp_path):
    _log_of(runner, 2)
    first, second = tmp_path / "1.json", tmp_path / "2.json"
    assert _mrvrs(runner, "audit", "anchor", "--out", str(first)).exit_code == 0
    _log_of(runner, 1, first=2)
    assert _mrvrs(runner, "audit", "anchor", "--out", str(second)).exit_code == 0
    both = _mrvrs(runner, "audit", "verify", "--anchor", str(first), "--anchor", str(second))
    assert both.exit_code == 0 and "2 anchors hold" in both.output
    forged = tmp_path / "forged.json"
    forged.write_text(second.read_text().replace('"seq": 5', '"seq": 4'))
    result = _mrvrs(runner, "audit", "verify", "--anchor", str(forged))
    assert result.exit_code == 1 and "does not carry a valid signature" in result.output
    assert "Traceback" not in result.output


def test_anchor__refuses_an_existing_file_and_a_broken_log(runner, cli_db, tmp_path):
    _log_of(runner, 2)
    taken = tmp_path / "taken.json"
    taken.write_text("keep me")
    result = _mrvrs(runner, "audit", "anchor", "--out", str(taken))
    assert result.exit_code == 1 and "never overwritten" in result.output
    assert taken.read_text() == "keep me"
    _alter_and_rehash_the_rest(cli_db)
    broken = _mrvrs(runner, "audit", "anchor", "--out", str(tmp_path / "new.json"))
    assert broken.exit_code == 1 and "not anchoring a broken log" in broken.output
    assert not (tmp_path / "new.json").exists()
    assert _mrvrs(runner, "audit", "anchor").exit_code == 2  # neither --out nor --mail


def test_anchor__mailed_at_once_through_smtp(runner, cli_db, tmp_path, monkeypatch):
    sent = []
    monkeypatch.setattr("workflows.outbox.SmtpTransport.send",
                        lambda transport, message: sent.append((transport.host, message)))
    _log_of(runner, 1)
    without = _mrvrs(runner, "audit", "anchor", "--mail", "keeper@example.org")
    assert without.exit_code == 1 and "MRVRS_SMTP_URL is not set" in without.output
    result = runner.invoke(main, ["audit", "anchor", "--mail", "keeper@example.org"],
                           env=base_environ(MRVRS_SMTP_URL="smtp://mail.example.org:25"))
    assert result.exit_code == 0, result.output
    (host, message), = sent
    assert host == "mail.example.org" and message["To"] == "keeper@example.org"
    text = message.get_content()
    anchor = tmp_path / "mailed.json"
    anchor.write_text(text.split("-----\n")[1])
    held = _mrvrs(runner, "audit", "verify", "--anchor", str(anchor))
    assert held.exit_code == 0 and "its anchor holds" in held.output, held.output
