"""Demo data for `mrvrs run --demo`: organisations and one user per role.

Organisation and people are invented. Passwords are generated per run and
printed once, so a demo never ships a known password.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from app import roles as r
from app.services import Services

DEMO_ORGANISATIONS = [
    ("Regional Secretariat (demo)", "MY", "secretariat"),
    ("Harbour Workers Aid (demo)", "MY", "member"),
    ("Lion City Migrant Desk (demo)", "SG", "member"),
]

#: (e-mail, roles, organisation index, countries)
DEMO_USERS = [
    ("admin@demo.mrvrs", [r.ADMIN], 0, []),
    ("coordinator@demo.mrvrs", [r.COORDINATOR], 0, []),
    ("reviewer@demo.mrvrs", [r.REVIEWER], 1, ["MY"]),
    ("member@demo.mrvrs", [r.MEMBER], 1, ["MY"]),
    ("editor@demo.mrvrs", [r.FORM_EDITOR], 1, ["MY"]),
    ("mission@demo.mrvrs", [r.MISSION], 0, ["MY", "SG"]),
    ("reporter@demo.mrvrs", [r.REPORTER], None, []),
]


@dataclass(frozen=True)
class DemoAccount:
    email: str
    roles: tuple[str, ...]
    password: str


def seed_accounts(svc: Services) -> list[DemoAccount]:
    """Create the demo organisations and users; skips any that already exist."""
    orgs = []
    for name, country, kind in DEMO_ORGANISATIONS:
        orgs.append(svc.organisations.by_name(name) or
                    svc.organisations.create(name, country, kind))
    accounts = []
    for email, roles, org_index, countries in DEMO_USERS:
        if svc.users.by_email(email):
            continue
        password = secrets.token_urlsafe(9)
        org_id = orgs[org_index]["_id"] if org_index is not None else None
        user = svc.users.create(email, password, roles, name=email.split("@")[0].title(),
                                org_id=org_id, countries=countries)
        svc.audit.record("user.create", actor="demo-seed", target=user["_id"], email=email,
                         roles=user["roles"])
        accounts.append(DemoAccount(email, tuple(user["roles"]), password))
    return accounts
