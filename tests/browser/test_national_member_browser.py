"""A national member puts a new country live from their phone, with nobody else's help
but an administrator's: issue 14's "Done when" as one walk through real Chromium.

Thailand starts with no team (the routing seed given to the fresh database has none
for TH). An administrator creates a form editor and a reviewer for TH; the editor
imports an XLSForm (bad files first), translates the form into Thai through the
spreadsheet, is refused publication until the administrator gives TH a team on the
Routing page, publishes; a reporter files in Thai, and the reviewer sees the case
reach their team. No file on the server is edited and nothing is restarted: every
step is a page, every page is 360 px wide, and each person has their own phone.
"""

from __future__ import annotations

import contextlib
import io
import re
import time
from pathlib import Path

import openpyxl
import pytest
import yaml

from tests.browser.conftest import LiveServer
from tests.browser.reporting import PHONE, walk_report
from tests.browser.staff import sign_in
from tests.helpers import base_environ

ROOT = Path(__file__).resolve().parents[2]
WORKBOOK = ROOT / "tests" / "data" / "th-xlsform.xlsx"
ADMIN = ("admin@network.example", "admin password for the walk")
EDITOR = ("somchai@th.example", "Somchai edits the Thai form")
REVIEWER = ("malee@th.example", "Malee reviews Thai cases")
NARRATIVE = "นายจ้างยึดบัตรชมพูของฉันและไม่จ่ายค่าจ้างสามเดือน"


def routing_without_thailand(folder: Path) -> Path:
    """The shipped routing seed with no team for TH and no acceptance of the fallback."""
    config = yaml.safe_load((ROOT / "config" / "routing.yaml").read_text(encoding="utf-8"))
    config["teams"] = {key: spec for key, spec in config["teams"].items()
                       if "TH" not in (spec or {}).get("countries", [])}
    config["fallback_accepted"] = [c for c in config.get("fallback_accepted", []) if c != "TH"]
    path = folder / "routing.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A fresh app whose routing was seeded without a Thai team; one administrator."""
    from app import create_app
    from config.settings import load_settings

    seed = routing_without_thailand(tmp_path_factory.mktemp("routing"))
    app = create_app(load_settings(base_environ(MRVRS_ROUTING_FILE=str(seed))))
    svc = app.extensions["mrvrs"]
    with app.app_context():
        svc.users.create(ADMIN[0], ADMIN[1], ["admin"], name="Ada Admin")
    with LiveServer(app) as live:
        yield live


@contextlib.contextmanager
def phone_opener(browser):
    """Open one more phone (its own cookies) per person; all closed afterwards."""
    contexts = []

    def open_phone():
        context = browser.new_context(locale="en-GB", viewport=PHONE, is_mobile=True,
                                      has_touch=True)
        contexts.append(context)
        return context.new_page()

    try:
        yield open_phone
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def phones(browser):
    with phone_opener(browser) as open_phone:
        yield open_phone


def fits(page) -> None:
    """The page does not scroll sideways on the phone."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a 360 px phone"


def heading(page) -> str:
    return page.locator("h1").inner_text().strip()


def flashes(page) -> str:
    return page.locator(".flashes").inner_text()


def sign_in_as(page, server, who: tuple[str, str]) -> None:
    sign_in(page, server.url, *who)


def go(page, link: str) -> None:
    """Follow a link of the main navigation, as a person taps it."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name=link,
                                                              exact=True).click()
    page.wait_for_load_state()


def create_user(page, email: str, name: str, role: str, password: str) -> None:
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Name").fill(name)
    page.get_by_label(role, exact=True).check()
    page.get_by_label("Countries (two-letter codes, comma separated)").fill("TH")
    page.get_by_label("Initial password").fill(password)
    page.get_by_role("button", name="Create user").click()
    assert f"User {email} was created." in flashes(page)


def upload_workbook(page, name: str, data: bytes) -> None:
    page.get_by_label("XLSForm workbook (.xlsx)").set_input_files(
        {"name": name, "mimeType": "application/octet-stream", "buffer": data})
    page.get_by_role("button", name="Import as a draft").click()
    page.wait_for_load_state()


def with_a_repeat_group() -> bytes:
    """The Thai XLSForm with a repeat group added, a construct the importer refuses."""
    book = openpyxl.load_workbook(WORKBOOK)
    book["survey"].append(["begin repeat", "visits", "Visits", "การเยี่ยม"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def problems_listed(page) -> list[str]:
    return [item.inner_text() for item in page.locator(".problems li").all()]


def fill_in_thai(sheet: bytes) -> tuple[bytes, int]:
    """What the member does in their spreadsheet program: a Thai text in every empty
    cell of the last column (test wording, not real Thai); returns the file and the
    number of cells filled."""
    book = openpyxl.load_workbook(io.BytesIO(sheet))
    rows = book.active
    header = [cell.value for cell in rows[1]]
    assert header[-1] == "th", header
    filled = 0
    for row in rows.iter_rows(min_row=2):
        source, target = row[-2], row[-1]
        if source.value and not target.value:
            target.value = f"(ไทย) {source.value}"
            filled += 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), filled


def answer_thai_questions(page, step: str) -> None:
    """The Thai form's one required question of its own, on the step that asks it."""
    if page.locator("input[name=th_route]").count():
        page.locator("input[name=th_route][value=pink_card]").check()


def test_national_member__puts_thailand_live_without_a_server_file(server, phones):
    admin, editor = phones(), phones()

    # 1. The administrator creates the two accounts of Thailand.
    sign_in_as(admin, server, ADMIN)
    go(admin, "Users")
    assert heading(admin) == "Users"
    create_user(admin, EDITOR[0], "Somchai Editor", "form editor", EDITOR[1])
    create_user(admin, REVIEWER[0], "Malee Reviewer", "national focal person", REVIEWER[1])
    fits(admin)

    # 2. Thailand has no team yet: the routing page says none covers it.
    go(admin, "Routing")
    assert heading(admin) == "Routing: teams and the countries they cover"
    assert "TH" not in admin.locator("table").inner_text()

    # 3. The editor imports the XLSForm, wrong files first.
    sign_in_as(editor, server, EDITOR)
    go(editor, "Forms")
    assert heading(editor) == "Forms"
    editor.get_by_role("link", name="Import an XLSForm").click()
    assert heading(editor) == "Import an XLSForm"
    upload_workbook(editor, "questions.xlsx", b"type,name,label\ntext,q1,Question one\n")
    assert "The workbook cannot be imported; nothing was saved" in editor.content()
    [unreadable] = problems_listed(editor)
    assert unreadable == ("the file: The file cannot be read as an XLSForm workbook: save it "
                          "from your spreadsheet program as an Excel workbook (.xlsx) and "
                          "upload it again."), unreadable
    upload_workbook(editor, "th-xlsform.xlsx", with_a_repeat_group())
    refused = problems_listed(editor)
    fatal = [item for item in refused if "(left out; does not stop the import)" not in item]
    assert len(fatal) == 1 and fatal[0].startswith("sheet survey, row 16: The question type "
                                                   "“begin repeat” is not supported"), refused
    go(editor, "Forms")
    assert editor.locator("[data-draft=th-intake], [data-form=th-intake]").count() == 0

    editor.get_by_role("link", name="Import an XLSForm").click()
    upload_workbook(editor, "th-xlsform.xlsx", WORKBOOK.read_bytes())
    assert heading(editor) == "Edit th-intake"
    assert "The XLSForm was imported as the draft of th-intake." in flashes(editor)
    assert "Left out: sheet survey" in flashes(editor)  # the note, metadata, constraint
    fits(editor)
    go(editor, "Forms")
    draft_row = editor.locator("[data-draft=th-intake]")
    assert "TH" in draft_row.inner_text() and "never published" in draft_row.inner_text()
    fits(editor)

    # 4. The form is translated into Thai through the spreadsheet.
    draft_row.get_by_role("link", name="Translate").click()
    assert heading(editor) == "Translate th-intake"
    editor.get_by_label("Language to translate into").select_option("th")
    with editor.expect_download() as downloading:
        editor.get_by_role("button", name="Download XLSX").click()
    download = downloading.value
    assert download.suggested_filename == "th-intake-th.xlsx"
    filled_sheet, filled = fill_in_thai(Path(download.path()).read_bytes())
    assert filled > 100  # the base form's texts had no Thai
    editor.get_by_label("The filled translation sheet (XLSX or CSV)").set_input_files(
        {"name": "th-intake-th.xlsx", "buffer": filled_sheet,
         "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
    editor.get_by_role("button", name="Upload and save in the draft").click()
    editor.wait_for_load_state()
    assert heading(editor) == "Edit th-intake"
    assert re.search(rf"{filled} texts in th changed and saved in the draft of th-intake",
                     flashes(editor)), flashes(editor)
    editor.get_by_role("link", name="Translate with a spreadsheet").click()
    editor.get_by_label("Language to translate into").select_option("th")
    assert "0 texts have no translation in this language yet." in editor.content()

    # 5. Publishing is refused: no team covers TH, and the message names the fix.
    editor.get_by_role("link", name="Edit th-intake").click()
    editor.get_by_role("button", name="Publish…").click()
    editor.wait_for_load_state()
    refusal = editor.locator(".problems").inner_text()
    assert "No team covers TH" in refusal and "Routing" in refusal, refusal
    assert heading(editor) == "Edit th-intake"

    # 6. The administrator gives Thailand a team on the Routing page.
    admin.get_by_label("Team key (lower-case letters, digits and -, e.g. vn-team)").fill(
        "th-team")
    admin.get_by_label("Countries (two-letter codes, comma separated)").fill("TH")
    admin.locator("form[action$='/routing/teams']").get_by_label(
        "Why (shown in the history)").fill("Thailand's national member starts")
    admin.get_by_role("button", name="Add team").click()
    assert "The team th-team was added." in flashes(admin)
    assert "TH" in admin.locator("#team-th-team").inner_text()
    fits(admin)

    # 7. The editor publishes, through the confirmation page.
    editor.get_by_role("button", name="Publish…").click()
    assert heading(editor) == "Publish th-intake?"
    assert editor.locator("dd[data-country]").inner_text() == "TH"
    editor.get_by_role("button", name="Publish version 1 now").click()
    assert "th-intake version 1 is published." in flashes(editor)

    # 8. A reporter on their phone files in Thai.
    reporter = phones()
    reporter.goto(server.url + "/report")
    reporter.locator('li[data-form="th-intake"] a[hreflang="th"]').click()
    reporter.wait_for_url(server.url + "/report/th-intake/th")
    assert reporter.locator("html").get_attribute("lang") == "th"
    reference, _code = walk_report(reporter, reporter.url, destination="TH",
                                   narrative=NARRATIVE, on_step=answer_thai_questions)
    assert reference.startswith("TH-")
    fits(reporter)

    # 9. The reviewer for TH is told, and finds the case in the team's queue.
    reviewer = phones()
    sign_in_as(reviewer, server, REVIEWER)
    go(reviewer, "Notifications")
    notice = reviewer.locator("ul.notifications li", has_text=reference)
    assert "A new case reached th-team:" in notice.inner_text()
    go(reviewer, "Cases")
    reviewer.get_by_role("link", name=reference).click()
    assert reference in heading(reviewer)
    assert NARRATIVE in reviewer.locator('dd[data-field="narrative"]').inner_text()
    fits(reviewer)


# -- the same story on the production shape -----------------------------------------
#
# gunicorn (two web processes) behind the TLS proxy, a real Celery worker and beat, the
# real database (tests/browser/production_stack.py). A team added on the Routing page is
# in force in the web process that saved it at once, in the other web process and in the
# worker within MRVRS_ROUTING_REFRESH_SECONDS, with nothing restarted. The access log
# names the web process of every request, so the test can tell which of the two
# answered "Publish…".

REFRESH_SECONDS = 2
#: One access-log line per request: "<pid> POST /forms/th-intake/edit 400".
ACCESS_LOG = re.compile(r"^<(\d+)> (GET|POST) (\S+) (\d{3})$", re.MULTILINE)


@pytest.fixture(scope="module")
def routing_stack(mongo_uri, broker_url, tmp_path_factory):
    """The production stack on a fresh database seeded with routing that has no Thai team."""
    import uuid

    from tests.browser.production_stack import production_environ, running_stack

    folder = tmp_path_factory.mktemp("routing-production")
    environ = production_environ(
        mongo_uri, broker_url, f"mrvrs_routing_{uuid.uuid4().hex[:8]}",
        MRVRS_ROUTING_FILE=str(routing_without_thailand(folder)),
        MRVRS_ROUTING_REFRESH_SECONDS=str(REFRESH_SECONDS),
        GUNICORN_CMD_ARGS="--access-logfile - --access-logformat '%(p)s %(m)s %(U)s %(s)s'")
    with running_stack(folder, environ) as stack:
        yield stack


@pytest.fixture(scope="module")
def stack_svc(routing_stack):
    """The stack's database seen from this process, with the three accounts of the story."""
    from tests.browser.production_stack import stack_services

    with stack_services(routing_stack) as (app, services):
        with app.app_context():
            services.users.create(ADMIN[0], ADMIN[1], ["admin"], name="Ada Admin")
            services.users.create(EDITOR[0], EDITOR[1], ["form_editor"],
                                  name="Somchai Editor", countries=["TH"])
            services.users.create(REVIEWER[0], REVIEWER[1], ["reviewer"],
                                  name="Malee Reviewer", countries=["TH"])
        yield services


@pytest.fixture(scope="module")
def pinned_phones(routing_stack, playwright_driver, chromium_path):
    """Phones whose Chromium trusts the proxy's certificate by its public key alone."""
    from tests.browser.conftest import CHROMIUM_ARGS

    pin = f"--ignore-certificate-errors-spki-list={routing_stack.certificate.spki_sha256}"
    browser = playwright_driver.chromium.launch(executable_path=chromium_path, headless=True,
                                                args=[*CHROMIUM_ARGS, pin])
    with phone_opener(browser) as open_phone:
        yield open_phone
    browser.close()


def routed(svc, reference: str, timeout: float = 30) -> dict:
    """The case once the worker has routed it (filing only queues the routing task)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        case = svc.cases.by_reference(reference)
        if case and case["stage"] != "submitted":
            return case
        time.sleep(0.3)
    raise AssertionError(f"{reference} was not routed by the worker within {timeout} s")


def team_becomes(svc, reference: str, team: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        case = svc.cases.by_reference(reference)
        if case.get("team") == team:
            return case
        time.sleep(0.3)
    raise AssertionError(f"{reference} is with {case.get('team')}, not {team}, "
                         f"after {timeout} s")


def publish_answers(stack) -> list[tuple[str, int]]:
    """(web process id, status) of every "Publish…" of th-intake so far, in order."""
    return [(pid, int(status)) for pid, method, path, status
            in ACCESS_LOG.findall(stack.log("gunicorn"))
            if method == "POST" and path == "/forms/th-intake/edit"]


def ask_to_publish(page, stack) -> bool:
    """Open the draft in the editor and press "Publish…": True when the confirmation page
    came, False when publication was refused for want of a team."""
    page.goto(stack.url + "/forms/th-intake/edit")
    page.get_by_role("button", name="Publish…").click()
    page.wait_for_load_state()
    if heading(page) == "Publish th-intake?":
        return True
    assert "No team covers TH" in page.locator(".problems").inner_text()
    return False


def ask_each_process(page, stack, *, publishable: bool, since: float | None = None,
                     tries: int = 16) -> set[str]:
    """Ask to publish until both web processes have answered as `publishable` says, and
    return those that did. Only a refusal within REFRESH_SECONDS of `since` (the moment
    routing changed) may come between: a process still holding the old routing."""
    pids = {pid for pid, _status in publish_answers(stack)}
    answered: set[str] = set()
    started = time.monotonic()
    for asks in range(1, tries + 1):
        asked = time.monotonic()
        confirmed = ask_to_publish(page, stack)
        pid, status = publish_answers(stack)[-1]
        pids.add(pid)
        assert status == (200 if confirmed else 400)
        if confirmed == publishable:
            answered.add(pid)
        else:
            assert since is not None and asked - since < REFRESH_SECONDS + 1, (
                f"web process {pid} answered {status} after the routing changed")
        if len(answered) == 2:
            break
    print(f"\n'Publish…' {'confirmed' if publishable else 'refused'} by web processes "
          f"{sorted(answered)} of {sorted(pids)}: {asks} asks, "
          f"{time.monotonic() - started:.1f} s")
    return answered


@pytest.mark.integration
def test_production_shape__a_team_added_on_the_routing_page_is_in_force_everywhere(
        routing_stack, stack_svc, pinned_phones):
    stack, svc = routing_stack, stack_svc
    # Before: the worker routes a report on the Myanmar form about work in Thailand to the
    # secretariat, as the seed has no Thai team.
    early, _code = walk_report(pinned_phones(), stack.url + "/report/mm-intake/en",
                               destination="TH", narrative="Held by a broker in Mae Sot.")
    assert routed(svc, early)["team"] == "secretariat"

    editor = pinned_phones()
    sign_in_as(editor, stack, EDITOR)
    go(editor, "Forms")
    editor.get_by_role("link", name="Import an XLSForm").click()
    upload_workbook(editor, "th-xlsform.xlsx", WORKBOOK.read_bytes())
    assert "The XLSForm was imported as the draft of th-intake." in flashes(editor)
    editor.get_by_role("link", name="Translate with a spreadsheet").click()
    editor.get_by_label("Language to translate into").select_option("th")
    with editor.expect_download() as downloading:
        editor.get_by_role("button", name="Download XLSX").click()
    filled_sheet, filled = fill_in_thai(Path(downloading.value.path()).read_bytes())
    editor.get_by_label("The filled translation sheet (XLSX or CSV)").set_input_files(
        {"name": "th-intake-th.xlsx", "buffer": filled_sheet,
         "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
    editor.get_by_role("button", name="Upload and save in the draft").click()
    assert f"{filled} texts in th changed" in flashes(editor)
    # Both web processes refuse: each holds the seed's routing, with no Thai team.
    assert len(ask_each_process(editor, stack, publishable=False)) == 2

    admin = pinned_phones()
    sign_in_as(admin, stack, ADMIN)
    go(admin, "Routing")
    admin.get_by_label("Team key (lower-case letters, digits and -, e.g. vn-team)").fill(
        "th-team")
    admin.get_by_label("Countries (two-letter codes, comma separated)").fill("TH")
    admin.get_by_role("button", name="Add team").click()
    assert "The team th-team was added." in flashes(admin)

    # Both confirm, within the refresh time, with nothing restarted.
    assert len(ask_each_process(editor, stack, publishable=True, since=time.monotonic())) == 2
    editor.get_by_role("button", name="Publish version 1 now").click()
    assert "th-intake version 1 is published." in flashes(editor)

    # The worker: the report that fell to the secretariat moves to the new team, and the
    # first report on the Thai form goes there.
    team_becomes(svc, early, "th-team")
    first, _code = walk_report(pinned_phones(), stack.url + "/report/th-intake/th",
                               destination="TH", narrative=NARRATIVE,
                               on_step=answer_thai_questions)
    assert routed(svc, first)["team"] == "th-team"

    reviewer = pinned_phones()
    sign_in_as(reviewer, stack, REVIEWER)
    go(reviewer, "Notifications")
    for reference in (early, first):
        notice = reviewer.locator("ul.notifications li", has_text=reference)
        assert "A new case reached th-team:" in notice.inner_text()
    fits(reviewer)
