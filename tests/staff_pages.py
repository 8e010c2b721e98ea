"""Every staff page, with the data it needs to show something, for tests that render
them all (in every language, with a pseudo-translation, in a browser).

`NOT_LISTED` names the GET routes behind the role check that are not pages to render
here (downloads), so a test can tell when a new page is missing from the list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from forms.definition_edits import Definition, add_choice, add_term, hide_question
from tests.case_helpers import ANSWERS, evidence, file_case
from tests.helpers import PASSWORD
from tests.intake_helpers import publish_shipped
from workflows.routing_edits import add_team

#: A term the form editor added to the draft and no question uses yet (a warning).
DRAFT_TERM = "majikan"
#: What the routing lead typed as the reason of their change: data, not interface.
ROUTING_NOTE = "Hanoi partner joined the network."
#: GET routes behind the role check that are not pages: files sent for download, an
#: HTML report served as it was written, the reporter's own list (not a staff page), and
#: an export job's page, which belongs to the account that started the job.
NOT_LISTED = {
    "cases.attachment": "a file the reporter attached",
    "exports.download": "an export or report file",
    "exports.view": "a compiled report, served as written",
    "exports.job": "an export job's progress, shown to the account that started it only",
    "forms_admin.translation_sheet": "a translation spreadsheet",
    "imports.job": "an import's column matching and progress, shown to its uploader only",
    "imports.template": "a template spreadsheet",
    "intake.my_reports": "a reporter's own reports, not a staff page",
}


@dataclass(frozen=True)
class StaffPages:
    """Role (with the account's extra fields) -> the pages that role works on."""

    by_role: list[tuple[tuple[str, ...], dict, list[str]]]

    def all_urls(self) -> list[str]:
        return sorted({url for _roles, _extra, urls in self.by_role for url in urls})


def seed_staff_pages(svc) -> StaffPages:
    """Shipped forms, an organisation, a Malay case with evidence, routed; a draft of the
    Malaysian form with a new term, a Singapore version waiting for a second editor, and
    a routing change after the seed import."""
    publish_shipped(svc)
    org = svc.organisations.create("Harbour Aid", "MY")
    case = file_case(svc, org_id=org["_id"], language="ms", files=evidence(),
                     answers={**ANSWERS, "acts": ["unpaid_wages", "life_in_danger"]})
    case_url = f"/cases/{case['reference']}"
    entity = _entity_linked_to(svc, case)
    registry = ["/registry/entities", f"/registry/entities/{entity['_id']}"]
    editor = svc.users.create("sg-editor@example.org", PASSWORD, ["form_editor"],
                              countries=["SG", "MY"])
    _draft_with_a_term(svc, editor["_id"])
    _submission_waiting(svc, editor["_id"])
    _routing_changed(svc)
    _shared(svc, case)
    forms = ["/forms/", "/forms/my-intake", "/forms/my-intake/1", "/forms/my-intake/edit",
             "/forms/new", "/forms/guide", "/forms/import-xlsform", *_task_pages("my-intake"),
             "/forms/my-intake/translations", "/forms/my-intake/translations?lang=ms"]
    routing = ["/admin/routing", "/admin/routing/history", "/admin/routing/rules",
               "/admin/routing/priority"]
    return StaffPages([
        (("reviewer",), {"countries": ["MY"]},
         ["/cases/", case_url, "/cases/notifications", "/account/", "/exports/",
          "/exports/indicators", "/exports/reports", *registry, f"{case_url}/share"]),
        # the Singapore team, with the case shared with it (docs/handover.md)
        (("reviewer",), {"countries": ["SG"]}, [case_url, "/cases/shared"]),
        # the Hong Kong team, with the case offered to it and not answered yet
        (("reviewer",), {"countries": ["HK"]}, ["/cases/shared"]),
        (("member",), {"org_id": org["_id"]}, ["/cases/", case_url, "/account/",
                                                "/imports/"]),
        (("form_editor",), {"org_id": org["_id"], "countries": ["MY"]}, forms),
        (("coordinator",), {}, ["/cases/", case_url, *registry, "/exports/audit", "/admin/audit",
                                "/imports/",
                                "/admin/translations", *forms, "/forms/sg-intake",
                                "/forms/approval", *routing]),
        (("mission",), {"countries": ["MY"]}, ["/exports/", "/exports/indicators",
                                               "/exports/reports", "/account/", *registry]),
        (("admin",), {}, ["/admin/users", "/admin/organisations", "/admin/audit",
                          "/admin/translations", "/account/", "/forms/approval", *routing]),
    ])


def _entity_linked_to(svc, case: dict) -> dict:
    """A Malaysian employer in the registry, linked to the case as its employer."""
    from datetime import UTC, datetime

    from workflows.registry.editing import NewEntity, new_entity
    from workflows.registry.links import LinkRequest

    entity = svc.entities.create(new_entity(NewEntity("employer", "Harbour Foods Sdn Bhd", "MY"),
                                            "seed", datetime.now(UTC)))
    coordinator = {"id": "u_seed", "roles": ["coordinator"], "org_id": None, "countries": []}
    svc.registry.link(svc.cases.get(case["_id"]), coordinator,
                      LinkRequest(entity["_id"], "employer", "employer_name"))
    return entity


def _shared(svc, case: dict) -> None:
    """The Malaysian team shares the case with the Singapore team, which accepts (the
    reporter gave no consent to referral: without identity), and offers it to the Hong
    Kong team."""
    handling = {"id": "u_my_lead", "roles": ["reviewer"], "org_id": None, "countries": ["MY"]}
    until = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    for team, purpose in (("sg-team", "legal_aid"), ("hk-team", "embassy")):
        case = svc.workflow.share(svc.cases.get(case["_id"]), handling, {
            "kind": "team", "key": team, "purpose": purpose, "access": "no_identity",
            "expires": until, "note": ""}, {})
    singapore = {"id": "u_sg_lead", "roles": ["reviewer"], "org_id": None, "countries": ["SG"]}
    svc.workflow.decide_share(case, singapore, case["shares"][0]["id"], True)


def _task_pages(form_id: str) -> list[str]:
    """The structured editor's pages of one form, the draft's new term's included."""
    tasks = f"/forms/{form_id}/tasks"
    return [tasks, f"{tasks}/label", f"{tasks}/choice", f"{tasks}/hide", f"{tasks}/terms/new",
            f"{tasks}/terms/{DRAFT_TERM}", f"{tasks}/terms/levy",
            f"/forms/{form_id}/draft/preview"]


def _draft_with_a_term(svc, editor: str) -> None:
    """The Malaysian form's draft gains a term that no question uses yet."""
    latest = svc.forms.latest("my-intake")
    definition = Definition(latest["source"], "my-intake.yaml", svc.forms.library_sources())
    edited = add_term(definition, DRAFT_TERM, {"en": "Majikan (employer)", "ms": "Majikan"},
                      {"en": "The person who employs the worker", "ms": "Orang yang menggaji"},
                      [21, 25])
    assert edited.ok, edited.problems
    svc.forms.save_draft("my-intake", edited.text, editor)


def _submission_waiting(svc, editor: str) -> None:
    """Singapore needs a second editor; a version with one more choice and one base
    question fewer waits for one."""
    svc.approvals.set_required("SG", True, editor)
    latest = svc.forms.latest("sg-intake")
    library = svc.forms.library_sources()
    definition = Definition(latest["source"], "sg-intake.yaml", library)
    edited = add_choice(definition, "passport_held_by", "agency_office",
                        {"en": "The agency's office", "zh-Hans": "中介办公室"}, [21], None)
    assert edited.ok, edited.problems
    edited = hide_question(Definition(edited.text, "sg-intake.yaml", library), "employer_name")
    assert edited.ok, edited.problems
    result = Definition(edited.text, "sg-intake.yaml", library).compile()
    svc.approvals.submit("sg-intake", text=edited.text,
                         digest=result.unwrap().definition_hash(), country="SG",
                         actor=editor)


def _routing_changed(svc) -> None:
    """After the seed import, a routing lead gives Viet Nam a team, with a reason."""
    svc.seed_routing()
    lead = svc.users.create("routing-lead@example.org", PASSWORD, ["coordinator"])
    current = svc.routing_store.latest()
    svc.routing_store.save(add_team(current["config"], "vn-team", ["VN"]),
                           expected=current["_id"], actor=lead["_id"], note=ROUTING_NOTE)
    svc.routing.invalidate()
