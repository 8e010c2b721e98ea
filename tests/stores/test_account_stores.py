"""Create, read, update and index behaviour of the account stores, on both stores."""

from datetime import UTC, datetime, timedelta

import pytest

from app.audit import AuditKeys, AuditLog
from app.login_backoff import LoginBackoff
from app.stores import AccountError, OrganisationStore, TokenStore, UserStore

HOLD = timedelta(minutes=15)


@pytest.fixture
def users(any_db):
    store = UserStore(any_db)
    store.ensure_indexes()
    store.ensure_indexes()  # idempotent
    return store


def test_indexes__created_idempotently(any_db):
    for store in (UserStore(any_db), OrganisationStore(any_db), TokenStore(any_db),
                  AuditLog(any_db, AuditKeys(["k" * 32]))):
        store.ensure_indexes()
        store.ensure_indexes()
    assert "email_unique" in any_db.users.index_information()
    assert "seq_unique" in any_db.audit_events.index_information()
    assert "digest_unique" in any_db.api_tokens.index_information()


def test_user__create_read_and_email_is_unique(users):
    user = users.create("Ana@Example.org", "long enough pw", ["reviewer"], countries=["my"])
    assert users.get(user["_id"])["email"] == "ana@example.org"
    assert users.by_email("ANA@example.org")["countries"] == ["MY"]
    with pytest.raises(AccountError, match="already exists"):
        users.create("ana@example.org", "long enough pw", ["member"])
    assert users.count() == 1


def test_user__emails_for_many_ids_at_once(users):
    made = [users.create(f"u{i}@example.org", "long enough pw", ["member"]) for i in range(3)]
    ids = [u["_id"] for u in made]
    assert users.emails_for([*ids[:2], "u_unknown"]) == {
        ids[0]: "u0@example.org", ids[1]: "u1@example.org"}
    assert users.emails_for([]) == {}


@pytest.mark.parametrize(("email", "password", "roles", "words"), [
    ("not-an-email", "long enough pw", ["member"], "not an e-mail"),
    ("a@example.org", "short", ["member"], "at least"),
    ("a@example.org", "long enough pw", ["boss"], "not a role"),
    ("a@example.org", "long enough pw", [], "at least one role"),
])
def test_user__bad_input__refused_and_nothing_stored(users, email, password, roles, words):
    with pytest.raises(AccountError, match=words):
        users.create(email, password, roles)
    assert users.count() == 0


def _sign_in(users, email, password, client="c1"):
    return users.authenticate(email, password, client=client, max_failures=3, backoff=HOLD)[1]


def test_user__failures_hold_off_the_client_never_the_account(users):
    users.create("b@example.org", "long enough pw", ["member"])
    assert _sign_in(users, "b@example.org", "long enough pw") == "ok"
    outcomes = [_sign_in(users, "b@example.org", "nope") for _ in range(4)]
    assert outcomes == ["wrong", "wrong", "wrong", "held"]
    assert _sign_in(users, "b@example.org", "long enough pw") == "held"
    assert _sign_in(users, "B@example.org ", "long enough pw", client="c2") == "ok"


def test_user__unknown_and_inactive_addresses_counted_like_known_ones(users):
    gone = users.create("gone@example.org", "long enough pw", ["member"])
    users.set_active(gone["_id"], False)
    assert [_sign_in(users, "nobody@example.org", "nope") for _ in range(4)] == [
        "unknown", "unknown", "unknown", "held"]
    assert [_sign_in(users, "gone@example.org", "long enough pw") for _ in range(4)] == [
        "inactive", "inactive", "inactive", "held"]


def test_user__success_resets_the_count_and_clear_lifts_every_hold(users):
    user = users.create("d@example.org", "long enough pw", ["member"])
    for _ in range(2):
        _sign_in(users, "d@example.org", "nope")
    assert _sign_in(users, "d@example.org", "long enough pw") == "ok"
    assert [_sign_in(users, "d@example.org", "nope") for _ in range(3)] == ["wrong"] * 3
    for _ in range(3):
        _sign_in(users, "d@example.org", "nope", client="c2")
    assert users.clear_backoff(user["_id"]) == 2
    assert users.clear_backoff("u_nobody") is None
    assert _sign_in(users, "d@example.org", "long enough pw") == "ok"
    assert _sign_in(users, "d@example.org", "long enough pw", client="c2") == "ok"


def test_backoff__count_and_hold_expire(any_db):
    backoff = LoginBackoff(any_db)
    backoff.ensure_indexes()
    start = datetime.now(UTC)
    for minute in range(2):
        assert not backoff.record_failure("c1", "e@example.org", max_failures=2, hold=HOLD,
                                          now=start + timedelta(minutes=20 * minute))
    assert backoff.record_failure("c1", "e@example.org", max_failures=2, hold=HOLD,
                                  now=start + timedelta(minutes=21))
    assert backoff.held("c1", "e@example.org", start + timedelta(minutes=35))
    assert not backoff.held("c1", "e@example.org", start + timedelta(minutes=37))
    assert not backoff.held("c2", "e@example.org", start + timedelta(minutes=35))
    assert not backoff.record_failure("c1", "e@example.org", max_failures=2, hold=HOLD,
                                      now=start + timedelta(minutes=37))
    stored = any_db.login_backoff.find_one()
    assert "e@example.org" not in str(stored)


def test_user__password_change_bumps_auth_version(users):
    user = users.create("c@example.org", "long enough pw", ["member"])
    users.set_password(user["_id"], "another long pw")
    stored = users.get(user["_id"])
    assert stored["auth_version"] == 2
    assert _sign_in(users, "c@example.org", "another long pw") == "ok"


def test_organisation__unique_name_and_country_code(any_db):
    orgs = OrganisationStore(any_db)
    orgs.ensure_indexes()
    org = orgs.create("Harbour Aid", "my")
    assert orgs.get(org["_id"])["country"] == "MY"
    with pytest.raises(AccountError):
        orgs.create("Harbour Aid", "SG")
    with pytest.raises(AccountError):
        orgs.create("Other", "Malaysia")
    assert [o["name"] for o in orgs.all()] == ["Harbour Aid"]


def test_tokens__resolve_revoke(any_db):
    tokens = TokenStore(any_db)
    tokens.ensure_indexes()
    record, token = tokens.create("u_1", "sync")
    assert "digest" in record and token not in str(any_db.api_tokens.find_one())
    assert tokens.resolve(token)["user_id"] == "u_1"
    assert tokens.resolve(token + "x") is None
    assert tokens.revoke("u_2", record["_id"]) is False  # not the owner
    assert tokens.revoke("u_1", record["_id"]) is True
    assert tokens.resolve(token) is None


def test_tokens__last_use_recorded_to_the_minute_without_a_write_per_request(any_db):
    tokens = TokenStore(any_db)
    record, token = tokens.create("u_1", "sync")
    tokens.resolve(token)
    first = any_db.api_tokens.find_one({"_id": record["_id"]})["last_used_at"]
    assert first is not None
    tokens.resolve(token)  # within the minute: the recorded use stands
    assert any_db.api_tokens.find_one({"_id": record["_id"]})["last_used_at"] == first
    stale = first - TokenStore.LAST_USED_STEP
    any_db.api_tokens.update_one({"_id": record["_id"]}, {"$set": {"last_used_at": stale}})
    tokens.resolve(token)
    assert any_db.api_tokens.find_one({"_id": record["_id"]})["last_used_at"] >= first


def test_user__password_change_and_deactivation_revoke_every_token(any_db):
    users = UserStore(any_db)
    user = users.create("t@example.org", "long enough pw", ["member"])
    tokens = TokenStore(any_db)
    _, first = tokens.create(user["_id"], "one")
    _, second = tokens.create(user["_id"], "two")
    _, other = tokens.create("u_other", "theirs")
    assert users.set_password(user["_id"], "another long pw") == 2
    assert tokens.resolve(first) is None and tokens.resolve(second) is None
    assert tokens.resolve(other) is not None
    _, third = tokens.create(user["_id"], "three")
    assert users.set_active(user["_id"], False) == 1
    assert users.set_active(user["_id"], True) == 0
    assert tokens.resolve(third) is None

