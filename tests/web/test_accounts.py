import re

from tests.helpers import PASSWORD


def _create_user(auth, **fields):
    data = {"user-email": "new.worker@example.org", "user-name": "New Worker",
            "user-roles": ["reviewer"], "user-org_id": "", "user-countries": "MY, sg",
            "user-password": "a long initial password"}
    data.update(fields)
    return auth.post("/admin/users", data, prefix="user")


def test_admin_creates_user__stored_with_roles_and_audited(login_as, auth, svc):
    admin = login_as("admin")
    response = _create_user(auth)
    assert response.status_code == 302
    user = svc.users.by_email("new.worker@example.org")
    assert user["roles"] == ["reviewer"] and user["countries"] == ["MY", "SG"]
    assert user["password_hash"].startswith("$argon2id$")

    event = svc.audit.recent(1)[0]
    assert event["action"] == "user.create" and event["actor"] == admin["_id"]


def test_password_hashing__outside_tests__uses_the_rfc_9106_memory_hard_profile():
    from app.passwords import Passwords

    stored = Passwords().hash("a long enough password")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert Passwords(for_tests=True).verify(stored, "a long enough password")


def test_admin_creates_user__email_taken__clear_error_nothing_stored(login_as, auth, svc):
    login_as("admin")
    _create_user(auth)
    response = _create_user(auth, **{"user-name": "Someone Else"})
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)
    assert svc.users.collection.count_documents({"email": "new.worker@example.org"}) == 1


def test_admin_creates_user__unknown_role__refused(login_as, auth, svc):
    login_as("admin")
    response = _create_user(auth, **{"user-roles": ["boss"]})
    assert response.status_code == 400
    assert "is not a valid choice" in response.get_data(as_text=True)
    assert svc.users.by_email("new.worker@example.org") is None


def test_admin_creates_user__bad_country__refused(login_as, auth, svc):
    login_as("admin")
    response = _create_user(auth, **{"user-countries": "Malaysia"})
    assert response.status_code == 400
    assert svc.users.by_email("new.worker@example.org") is None


def test_admin_deactivates_user__their_session_ends(app, login_as, auth, make_user, svc):
    from tests.helpers import AuthActions

    target = make_user(("member",))
    other = app.test_client()
    AuthActions(other).login(target["email"])
    assert other.get("/account/").status_code == 200
    login_as("admin")
    auth.post("/admin/users/active", {"active-user_id": target["_id"]}, page="/admin/users",
              prefix="active")
    assert svc.users.get(target["_id"])["active"] is False
    assert other.get("/account/").status_code == 302
    assert AuthActions(app.test_client()).login(target["email"]).status_code == 400


def test_admin_creates_organisation(login_as, auth, svc):
    login_as("admin")
    response = auth.post("/admin/organisations", {"org-name": "Harbour Aid", "org-country": "my"},
                         prefix="org")
    assert response.status_code == 302
    assert svc.organisations.by_name("Harbour Aid")["country"] == "MY"


def _new_token(auth) -> str:
    response = auth.post("/account/tokens", {"token-label": "partner sync"},
                         page="/account/", prefix="token")
    assert response.status_code == 200
    return re.search(r'<code id="new-token">([^<]+)</code>', response.get_data(as_text=True))[1]


def test_api_token__shown_once_stored_hashed_and_works(client, login_as, auth, svc):
    user = login_as("member")
    token = _new_token(auth)
    stored = svc.tokens.for_user(user["_id"])[0]
    assert token not in str(stored)
    assert token not in client.get("/account/").get_data(as_text=True)
    assert svc.audit.recent(1)[0]["action"] == "api_token.create"
    anonymous = client.application.test_client()
    me = anonymous.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json["email"] == user["email"]


def test_api_token__revoked__refused_and_audited(client, login_as, auth, svc):
    user = login_as("member")
    token = _new_token(auth)
    token_id = svc.tokens.for_user(user["_id"])[0]["_id"]
    auth.post("/account/tokens/revoke", {"revoke-token_id": token_id}, page="/account/",
              prefix="revoke")
    assert svc.audit.recent(1)[0]["action"] == "api_token.revoke"
    response = client.application.test_client().get(
        "/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json["error"]["status"] == 401


def test_api__session_cookie_alone__not_accepted(client, login_as):
    login_as("member")
    assert client.get("/api/v1/me").status_code == 401


def test_api__garbage_token__401_json(client):
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer nonsense"})
    assert response.status_code == 401 and "error" in response.json


def test_password_change__wrong_current__refused(login_as, auth, svc):
    user = login_as("member")
    response = auth.post("/account/password", {"pw-current": "wrong password!",
                                                "pw-new": "another long secret",
                                                "pw-confirm": "another long secret"},
                         page="/account/", prefix="pw")
    assert response.status_code == 400
    assert svc.users.passwords.verify(svc.users.get(user["_id"])["password_hash"], PASSWORD)


def _api_me(app, token: str):
    return app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


def test_password_change__api_tokens_revoked(app, login_as, auth, svc):
    """A stolen token must not outlive the password change meant to lock the thief out."""
    user = login_as("member")
    token = _new_token(auth)
    assert _api_me(app, token).status_code == 200
    response = auth.post("/account/password", {"pw-current": PASSWORD,
                                                "pw-new": "a brand new secret",
                                                "pw-confirm": "a brand new secret"},
                         page="/account/", prefix="pw")
    assert response.status_code == 302
    assert _api_me(app, token).status_code == 401
    assert all(t["revoked_at"] is not None for t in svc.tokens.for_user(user["_id"]))
    event = svc.audit.recent(1)[0]
    assert event["action"] == "user.password_change" and event["details"]["tokens_revoked"] == 1


def test_deactivation__api_tokens_revoked_and_stay_revoked_on_reactivation(app, login_as, auth,
                                                                           make_user, svc):
    from tests.helpers import AuthActions

    target = make_user(("member",))
    own = AuthActions(app.test_client())
    own.login(target["email"])
    token = _new_token(own)
    login_as("admin")
    for _ in range(2):  # deactivate, then activate again
        auth.post("/admin/users/active", {"active-user_id": target["_id"]},
                  page="/admin/users", prefix="active")
    assert svc.users.get(target["_id"])["active"] is True
    assert _api_me(app, token).status_code == 401

