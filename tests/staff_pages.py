"""Every staff page, with the data it needs to show something, for tests that render
them all (in every language, with a pseudo-translation, in a browser)."""

from __future__ import annotations

from dataclasses import dataclass

from tests.case_helpers import ANSWERS, evidence, file_case
from tests.intake_helpers import publish_shipped


@dataclass(frozen=True)
class StaffPages:
    """Role (with the account's extra fields) -> the pages that role works on."""

    by_role: list[tuple[tuple[str, ...], dict, list[str]]]

    def all_urls(self) -> list[str]:
        return sorted({url for _roles, _extra, urls in self.by_role for url in urls})


def seed_staff_pages(svc) -> StaffPages:
    """Shipped forms, an organisation, a Malay case with evidence, routed."""
    publish_shipped(svc)
    org = svc.organisations.create("Harbour Aid", "MY")
    case = file_case(svc, org_id=org["_id"], language="ms", files=evidence(),
                     answers={**ANSWERS, "acts": ["unpaid_wages", "life_in_danger"]})
    case_url = f"/cases/{case['reference']}"
    forms = ["/forms/", "/forms/my-intake", "/forms/my-intake/1", "/forms/my-intake/edit",
             "/forms/new"]
    return StaffPages([
        (("reviewer",), {"countries": ["MY"]},
         ["/cases/", case_url, "/cases/notifications", "/account/", "/exports/",
          "/exports/indicators", "/exports/reports"]),
        (("member",), {"org_id": org["_id"]}, ["/cases/", case_url, "/account/"]),
        (("form_editor",), {"org_id": org["_id"], "countries": ["MY"]}, forms),
        (("coordinator",), {}, ["/cases/", case_url, "/exports/audit", "/admin/audit",
                                "/admin/translations", "/admin/routing/priority", *forms]),
        (("mission",), {"countries": ["MY"]}, ["/exports/", "/exports/indicators",
                                               "/exports/reports", "/account/"]),
        (("admin",), {}, ["/admin/users", "/admin/organisations", "/admin/audit",
                          "/admin/translations", "/admin/routing/priority", "/account/"]),
    ])
