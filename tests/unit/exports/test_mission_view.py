"""The mission's view of a case: the pseudonymised export row cut to named keys, and the
sealed handles that name its cases."""

from __future__ import annotations

import pytest

from exports.case_handles import CaseHandles, handle_key
from exports.mission_view import CASE_KEYS, ROW_KEYS, mission_case, mission_redactor, mission_row
from tests.export_cases import planted
from tests.unit.exports.export_factories import make_case, shipped

KEY = handle_key("a data key")


def _case(**extra):
    values = planted(3)
    answers = {"destination_country": "MY", "consent_statistics": True, "acts": ["confined"],
               "narrative": f"{values['full_name']} was locked in at {values['city_area']}.",
               **values}
    return make_case("my-intake", answers, case_id="c_0003", reference="MY-2026-000003",
                     **extra)


def test_case__only_the_named_keys_whatever_the_case_holds():
    values = planted(3)
    case = _case(assignee="u_1", reporter={"user_id": "u_2", "org_id": "o_1"},
                 follow_ups=[{"result": "sheltered"}], attachments=[{"name": "scan.jpg"}],
                 a_field_added_later="secret", approved_texts={"narrative": {
                     "text": f"{values['full_name']} was locked in at {values['city_area']}.",
                     "by": "u_1"}})
    handles = CaseHandles(KEY, "u_mission")
    view = mission_case(case, shipped("my-intake"), mission_redactor(handles.seal))
    assert list(view) == list(CASE_KEYS)
    assert handles.open(view["pseudonym"]) == "c_0003"
    text = repr(view)
    for leak in ["MY-2026-000003", "c_0003", "u_1", "u_2", "o_1", "sheltered", "scan.jpg",
                 "secret", *planted(3).values()]:
        assert leak not in text, leak
    assert view["answers"]["narrative"] == "[name] was locked in at [location]."


def test_row__no_answers_and_an_unknown_form_shows_none():
    handles = CaseHandles(KEY, "u_mission")
    row = mission_row(_case(), mission_redactor(handles.seal))
    assert list(row) == list(ROW_KEYS) and "answers" not in row
    assert mission_case(_case(), None, mission_redactor(handles.seal))["answers"] == {}


def test_handles__stable_for_a_reader_unrelated_for_another():
    mine, theirs = CaseHandles(KEY, "u_1"), CaseHandles(KEY, "u_2")
    handle = mine.seal("c_0123456789abcdef01234567")
    assert handle == mine.seal("c_0123456789abcdef01234567") and handle.startswith("P-")
    assert theirs.seal("c_0123456789abcdef01234567") != handle
    assert mine.open(handle) == "c_0123456789abcdef01234567"
    assert theirs.open(handle) is None
    assert CaseHandles(handle_key("another key"), "u_1").open(handle) is None


@pytest.mark.parametrize("forged", ["", "P-", "MY-2026-000001", "P-" + "A" * 40, "P-!!!!" * 8,
                                    "P-" + "A" * 500, None, 12])
def test_handles__forged_or_malformed__open_to_nothing(forged):
    assert CaseHandles(KEY, "u_1").open(forged) is None


def test_handles__any_changed_character__opens_to_nothing():
    handles = CaseHandles(KEY, "u_1")
    handle = handles.seal("c_1")
    for i in range(2, len(handle)):
        changed = handle[:i] + ("B" if handle[i] != "B" else "C") + handle[i + 1:]
        assert handles.open(changed) is None, i
