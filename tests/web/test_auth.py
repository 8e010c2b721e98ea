from tests.helpers import PASSWORD, csrf_token


def test_login__right_password__signs_in_and_audits(client, auth, make_user, svc):
    user = make_user(("reviewer",))
    response = auth.login(user["email"])
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert user["email"] in page and "Sign out" in page
    assert svc.audit.recent(1)[0]["action"] == "login.success"


def test_login__session_cookie_is_httponly_and_lax(auth, make_user):
    response = auth.login(make_user()["email"])
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # only in production


def test_login__production__cookie_is_secure():
    from app import create_app
    from config.settings import load_settings
    from tests.helpers import TEST_AUDIT_KEY, TEST_DATA_KEY

    app = create_app(load_settings({"MRVRS_ENV": "production", "MRVRS_SECRET_KEY": "x",
                                    "MRVRS_DATA_KEY": TEST_DATA_KEY,
                                    "MRVRS_AUDIT_KEY": TEST_AUDIT_KEY}))
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_login__wrong_password__clear_error_and_audited_failure(auth, make_user, svc):
    user = make_user()
    response = auth.login(user["email"], "not the password")
    assert response.status_code == 400
    assert "Wrong e-mail or password." in response.get_data(as_text=True)
    event = svc.audit.recent(1)[0]
    assert event["action"] == "login.failure" and event["details"]["outcome"] == "wrong"


def test_login__unknown_email__same_message_as_wrong_password(auth):
    response = auth.login("nobody@example.org")
    assert response.status_code == 400
    assert "Wrong e-mail or password." in response.get_data(as_text=True)


def test_login__ten_wrong_passwords__this_client_held_even_for_right_password(auth, make_user,
                                                                              svc):
    user = make_user()
    outcomes = [auth.login(user["email"], f"guess {i}").status_code for i in range(10)]
    assert set(outcomes) <= {400, 429}
    response = auth.login(user["email"], PASSWORD)
    assert response.status_code in (400, 429)
    assert auth.client.get("/account/").status_code == 302
    failures = [e for e in svc.audit.recent(50) if e["action"] == "login.failure"]
    assert any(e["details"]["outcome"] == "held" for e in failures)


def test_login__without_csrf_token__rejected(client, make_user, svc):
    user = make_user()
    response = client.post("/auth/login", data={"email": user["email"], "password": PASSWORD})
    assert response.status_code == 400
    assert "expired or was not sent from this site" in response.get_data(as_text=True)
    assert "uid" not in (response.headers.get("Set-Cookie") or "")
    assert client.get("/account/").status_code == 302


def test_login__forged_csrf_token__rejected(client, make_user):
    user = make_user()
    client.get("/auth/login")
    response = client.post("/auth/login", data={"email": user["email"], "password": PASSWORD,
                                                "csrf_token": "forged.token.value"})
    assert response.status_code == 400


def test_login__repeated_posts__rate_limited(app, client):
    statuses = []
    for i in range(12):
        token = csrf_token(client.get("/auth/login").get_data(as_text=True))
        statuses.append(client.post("/auth/login", data={
            "email": f"x{i}@example.org", "password": "x", "csrf_token": token}).status_code)
    assert statuses[-1] == 429


def test_login__next__only_same_site(auth, make_user):
    user = make_user()
    page = auth.client.get("/auth/login?next=https://evil.example/")
    token = csrf_token(page.get_data(as_text=True))
    response = auth.client.post("/auth/login?next=https://evil.example/",
                                data={"email": user["email"], "password": PASSWORD,
                                      "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_logout__ends_session_and_audits(client, auth, login_as, svc):
    login_as("member")
    response = auth.post("/auth/logout", {}, page="/")
    assert response.status_code == 302
    assert client.get("/account/").status_code == 302
    assert svc.audit.recent(1)[0]["action"] == "logout"


def test_password_change__old_sessions_end(app, auth, login_as, svc):
    user = login_as("member")
    other = app.test_client()
    from tests.helpers import AuthActions

    AuthActions(other).login(user["email"])
    assert other.get("/account/").status_code == 200
    response = auth.post("/account/password", {"pw-current": PASSWORD,
                                                "pw-new": "a brand new secret",
                                                "pw-confirm": "a brand new secret"},
                         page="/account/", prefix="pw")
    assert response.status_code == 302
    assert auth.client.get("/account/").status_code == 200
    assert other.get("/account/").status_code == 302
    assert svc.audit.recent(1)[0]["action"] == "user.password_change"
