"""Create, read, update and index behaviour of the account stores, on both stores."""

from datetime import timedelta

import pytest

from app.audit import AuditKeys, AuditLog
from app.stores import AccountError, OrganisationStore, TokenStore, UserStore

LOCKOUT = timedelta(minutes=15)


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


def test_user__authenticate_and_lock_after_failures(users):
    users.create("b@example.org", "long enough pw", ["member"])
    assert users.authenticate("b@example.org", "long enough pw", max_failures=3,
                              lockout=LOCKOUT)[1] == "ok"
    outcomes = [users.authenticate("b@example.org", "nope", max_failures=3, lockout=LOCKOUT)[1]
                for _ in range(3)]
    assert outcomes == ["wrong", "wrong", "locked"]
    assert users.authenticate("b@example.org", "long enough pw", max_failures=3,
                              lockout=LOCKOUT)[1] == "locked"


def test_user__password_change_bumps_auth_version(users):
    user = users.create("c@example.org", "long enough pw", ["member"])
    users.set_password(user["_id"], "another long pw")
    stored = users.get(user["_id"])
    assert stored["auth_version"] == 2
    assert users.authenticate("c@example.org", "another long pw", max_failures=3,
                              lockout=LOCKOUT)[1] == "ok"


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
