"""The people and cases of the handover tests (docs/handover.md), on any store: an
Indonesian organisation's cases about Taiwan, handled at home by the Indonesian team
(no team covered Taiwan when they were filed), and a Malaysian case transferred to the
Indonesian team; then the Taiwanese partner joins with a team of its own."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.case_helpers import ANSWERS, file_case
from tests.helpers import PASSWORD, AuthActions
from workflows.routing_edits import add_team

#: What an Indonesian worker in Taiwan told the organisation at home.
TW_ANSWERS = {**ANSWERS, "destination_country": "TW", "full_name": "Dewi Lestari",
              "narrative": "The broker in Taichung keeps my passport and half my wage.",
              "consent_referral": True}
#: The roles of the access matrix, each a user in `Handover.people`.
ROLES = ("reporter", "member_filing", "member_other", "form_editor", "reviewer_handling",
         "reviewer_receiving", "reviewer_third", "coordinator", "mission", "admin")


@dataclass
class Handover:
    svc: Any
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    cases: dict[str, dict[str, Any]] = field(default_factory=dict)

    def current(self, name: str) -> dict[str, Any]:
        return self.svc.cases.get(self.cases[name]["_id"])


def seed_handover(svc, *, consent: bool = True) -> Handover:
    """Organisations, one user per role, and three cases: `shared` and `unshared` (filed
    by the Indonesian organisation, handled by the Indonesian team) and `transferred`
    (filed anonymously in Malaysia, moved from the Malaysian team to the Indonesian)."""
    svc.forms.publish_shipped()
    svc.seed_routing()
    orgs = {"id": svc.organisations.create("Suara Buruh Migran", "ID"),
            "tw": svc.organisations.create("Taipei Migrant Desk", "TW"),
            "my": svc.organisations.create("Harbour Aid", "MY")}
    users = svc.users
    make = {
        "reporter": (["reporter"], {}),
        "member_filing": (["member"], {"org_id": orgs["id"]["_id"]}),
        "member_other": (["member"], {"org_id": orgs["my"]["_id"]}),
        "form_editor": (["form_editor"], {"org_id": orgs["id"]["_id"], "countries": ["ID"]}),
        "reviewer_handling": (["reviewer"], {"countries": ["ID"]}),
        "reviewer_receiving": (["reviewer"], {"countries": ["TW"]}),
        "reviewer_third": (["reviewer"], {"countries": ["SG"]}),
        "coordinator": (["coordinator"], {}),
        "mission": (["mission"], {"countries": ["TW"]}),
        "admin": (["admin"], {}),
    }
    seed = Handover(svc)
    seed.people = {name: users.create(f"{name}@handover.example", PASSWORD, roles, **extra)
                   for name, (roles, extra) in make.items()}
    seed.people["org_tw"] = users.create("desk@taipei.example", PASSWORD, ["member"],
                                         org_id=orgs["tw"]["_id"])
    seed.orgs = orgs  # type: ignore[attr-defined]
    answers = {**TW_ANSWERS, "consent_referral": consent}
    for name in ("shared", "unshared", "transferred"):
        seed.cases[name] = file_case(svc, form_id="id-intake", org_id=orgs["id"]["_id"],
                                     user_id=seed.people["member_filing"]["_id"],
                                     answers=answers)
        assert seed.cases[name]["team"] == "id-team", seed.cases[name]["team"]
    _taiwan_joins(svc)
    return seed


def actor(user: dict[str, Any]) -> dict[str, Any]:
    """The workflow's actor for a seeded user (the service adds the teams)."""
    return {"id": user["_id"], "roles": list(user["roles"]), "org_id": user.get("org_id"),
            "countries": list(user.get("countries") or ())}


def share_and_transfer(seed: Handover, access: str = "full") -> None:
    """`shared` offered to the Taiwanese team and accepted by it; `transferred` handed
    to the Taiwanese team by the Indonesian one."""
    svc, people = seed.svc, seed.people
    handling, receiving = actor(people["reviewer_handling"]), actor(people["reviewer_receiving"])
    expires = (datetime.now(UTC) + timedelta(days=60)).date().isoformat()
    shared = svc.workflow.share(seed.current("shared"), handling, {
        "kind": "team", "key": "tw-team", "purpose": "legal_aid", "access": access,
        "expires": expires, "note": ""}, {})
    svc.workflow.decide_share(shared, receiving, shared["shares"][0]["id"], True)
    svc.workflow.transfer(seed.current("transferred"), handling, "tw-team")


def _taiwan_joins(svc) -> None:
    """The Taiwanese partner joins the network: a routing lead gives Taiwan a team. The
    cases filed before stay with the team that has them."""
    current = svc.routing_store.latest()
    svc.routing_store.save(add_team(current["config"], "tw-team", ["TW"]),
                           expected=current["_id"], actor="u_routing_lead",
                           note="Taipei partner joined the network.")
    svc.routing.invalidate()


def signed_in(app, user: dict[str, Any]) -> AuthActions:
    """A browser of its own, signed in as `user`."""
    actions = AuthActions(app.test_client())
    response = actions.login(user["email"])
    assert response.status_code == 302, response.get_data(as_text=True)
    return actions


def version_on(html: str, prefix: str) -> str:
    match = re.search(rf'name="{re.escape(prefix)}-version"[^>]*value="(\d+)"', html) or \
        re.search(rf'value="(\d+)"[^>]*name="{re.escape(prefix)}-version"', html)
    assert match, f"no {prefix}-version on the page"
    return match.group(1)


def share_by_page(desk: AuthActions, reference: str, **values: str):
    """Fill and send the share form of the case page, as the handling team."""
    page = f"/cases/{reference}/share"
    html = desk.client.get(page).get_data(as_text=True)
    expires = (datetime.now(UTC) + timedelta(days=60)).date().isoformat()
    fields = {"to": "team:tw-team", "purpose": "legal_aid", "access": "full",
              "expires": expires, "note": "Needs a labour lawyer in Taichung.", **values}
    data = {f"share-{k}": v for k, v in fields.items()}
    data["share-version"] = version_on(html, "share")
    return desk.post(page, data, prefix="share")


def answer_by_page(desk: AuthActions, reference: str, share_id: str, accept: bool,
                   reason: str = ""):
    """Accept or refuse a share from the "Shared with us" list."""
    prefix = f"answer-{share_id}"
    html = desk.client.get("/cases/shared").get_data(as_text=True)
    data = {f"{prefix}-reason": reason, f"{prefix}-version": version_on(html, prefix),
            f"{prefix}-{'accept' if accept else 'refuse'}": "y"}
    return desk.post(f"/cases/{reference}/shares/{share_id}/answer", data, page="/cases/shared",
                     prefix=prefix)
