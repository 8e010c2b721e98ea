"""Failed sign-ins slow down the one guessing, never the account owner, and never tell
which e-mail addresses have an account."""

from __future__ import annotations

import pytest

from tests.helpers import PASSWORD, AuthActions

ATTACKER = "203.0.113.7"
OWNER = "198.51.100.2"
WRONG = "Wrong e-mail or password."
HELD = "Too many failed attempts for this e-mail address from here."


def _from(app, address: str) -> AuthActions:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return AuthActions(client)


def _answer(response) -> tuple[int, str]:
    text = response.get_data(as_text=True)
    if response.status_code == 302:
        return 302, "signed in"
    kind = "wrong" if WRONG in text else "held" if HELD in text else text[:300]
    return response.status_code, kind


def _guesses(actions: AuthActions, email: str, count: int) -> list[tuple[int, str]]:
    return [_answer(actions.login(email, f"guess number {i}")) for i in range(count)]


def test_wrong_passwords_from_one_client__owner_elsewhere_still_signs_in(app, make_user):
    owner = make_user(("reviewer",))
    _guesses(_from(app, ATTACKER), owner["email"], 8)
    assert _answer(_from(app, OWNER).login(owner["email"])) == (302, "signed in")


def test_wrong_passwords__guessing_client_held_off_even_with_the_right_password(app, make_user,
                                                                               settings):
    owner = make_user(("reviewer",))
    attacker = _from(app, ATTACKER)
    answers = _guesses(attacker, owner["email"], settings.login_max_failures)
    assert answers == [(400, "wrong")] * settings.login_max_failures
    assert _answer(attacker.login(owner["email"])) == (400, "held")
    assert attacker.client.get("/account/").status_code == 302  # not signed in


@pytest.mark.parametrize("kind", ["unknown", "inactive"])
def test_answers__same_for_existing_unknown_and_inactive_accounts(app, make_user, svc, kind):
    existing = make_user(("member",))
    if kind == "unknown":
        email = "nobody-here@example.org"
    else:
        email = make_user(("member",))["email"]
        svc.users.set_active(svc.users.by_email(email)["_id"], False)
    seen_existing = _guesses(_from(app, "192.0.2.10"), existing["email"], 7)
    seen_other = _guesses(_from(app, "192.0.2.11"), email, 7)
    assert seen_other == seen_existing
    assert (400, "held") in seen_existing


def test_admin_clears_back_off__owner_behind_the_same_address_signs_in(app, make_user,
                                                                       login_as, auth, svc):
    owner = make_user(("reviewer",))
    shared = _from(app, ATTACKER)
    _guesses(shared, owner["email"], 6)
    assert _answer(shared.login(owner["email"])) == (400, "held")
    login_as("admin")
    response = auth.post("/admin/users/backoff", {"backoff-user_id": owner["_id"]},
                         page="/admin/users", prefix="backoff")
    assert response.status_code == 302
    event = svc.audit.recent(1)[0]
    assert event["action"] == "user.backoff_clear" and event["target"] == owner["_id"]
    assert _answer(shared.login(owner["email"])) == (302, "signed in")

