"""Every protected page, for every role: the one role check is applied everywhere."""

import pytest

from app import roles as r

ALL_ROLES = r.ROLES

#: url -> roles that may open it (empty: any signed-in user)
PROTECTED = {
    "/account/": (),
    "/admin/users": (r.ADMIN,),
    "/admin/organisations": (r.ADMIN,),
    "/admin/audit": (r.ADMIN, r.COORDINATOR),
    "/admin/routing": (r.ADMIN, r.COORDINATOR),
    "/admin/routing/rules": (r.ADMIN, r.COORDINATOR),
    "/admin/routing/history": (r.ADMIN, r.COORDINATOR),
    "/cases/": (r.MEMBER, r.REPORTER, r.REVIEWER, r.COORDINATOR),
    "/cases/notifications": (r.MEMBER, r.REPORTER, r.REVIEWER, r.COORDINATOR),
}


@pytest.mark.parametrize("url", PROTECTED)
def test_protected_page__anonymous__sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("url", PROTECTED)
def test_protected_page__each_role__allowed_or_forbidden(client, login_as, url, role):
    login_as(role)
    allowed = PROTECTED[url]
    user_roles = set(r.normalise_roles([role]))
    expected = 200 if (not allowed or user_roles & set(allowed)) else 403
    assert client.get(url).status_code == expected


def test_every_view__is_public_or_declares_its_roles(app):
    """A new view without the role check fails here instead of leaking."""
    unchecked = [
        endpoint for endpoint, view in app.view_functions.items()
        if not r.is_public(endpoint, view) and not hasattr(view, "required_roles")
    ]
    assert unchecked == []


@pytest.mark.parametrize(("role", "visible", "hidden"), [
    (r.ADMIN, ["Users", "Organisations", "Audit log"], []),
    (r.COORDINATOR, ["Audit log"], ["Users", "Organisations"]),
    (r.MEMBER, ["My account"], ["Users", "Audit log"]),
    (r.REPORTER, ["My account"], ["Users", "Audit log"]),
])
def test_navigation__shows_only_the_role_s_entries(client, login_as, role, visible, hidden):
    login_as(role)
    page = client.get("/").get_data(as_text=True)
    nav = page[page.index("<nav"):page.index("</nav>")]
    for label in visible:
        assert f">{label}</a>" in nav
    for label in hidden:
        assert f">{label}</a>" not in nav


def test_form_editor__implies_member():
    assert r.normalise_roles(["form_editor"]) == ["member", "form_editor"]


def test_unknown_role__refused_with_the_list():
    with pytest.raises(r.UnknownRoleError, match="reporter, member"):
        r.normalise_roles(["boss"])
