"""A reference outside the user's scope answers 404 in the same time whether or not the
case exists: the scope is part of the query, so both are one indexed miss.

Measured, not assumed: a large case makes fetching it (as the old lookup did before
checking the scope) clearly slower than a miss; the medians of interleaved samples
are compared with a generous ratio, and the figures are in the assertion message.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime

import pytest

from tests.case_helpers import file_case

ROUNDS = 3
SAMPLES = 25
RATIO = 1.6
#: A case with a long timeline: what a case looks like after years of follow-up.
EVENTS = 3000


@pytest.fixture
def big_case(svc):
    case = file_case(svc)
    at = datetime.now(UTC)
    events = [{"at": at, "actor": "u_reviewer", "from": "in_review", "to": "in_review",
               "note": f"Called the employer again ({i}); no answer. " * 4, "kind": "note"}
              for i in range(EVENTS)]
    svc.cases.cases.update_one({"_id": case["_id"]}, {"$push": {"events": {"$each": events}}})
    return case


def _medians(get, present: str, absent: str) -> tuple[float, float]:
    times: dict[str, list[float]] = {present: [], absent: []}
    for _ in range(SAMPLES):
        for url in (present, absent):
            start = time.perf_counter()
            status = get(url)
            times[url].append(time.perf_counter() - start)
            assert status == 404, url
    return statistics.median(times[present]), statistics.median(times[absent])


def _assert_same_time(get, present: str, absent: str) -> None:
    get(present), get(absent)  # warm up
    figures = []
    for _ in range(ROUNDS):
        existing, missing = _medians(get, present, absent)
        figures.append(f"existing {existing * 1000:.2f} ms, missing {missing * 1000:.2f} ms")
        if existing < missing * RATIO:
            print("404 medians:", figures[-1])  # shown with pytest -s or -rP
            return
    raise AssertionError("an out-of-scope case answers slower than a missing one: "
                         + "; ".join(figures))


def test_api__out_of_scope_and_missing_reference_take_the_same_time(client, svc, make_user,
                                                                     big_case):
    outsider = make_user(("reviewer",), countries=["SG"])
    token = svc.tokens.create(outsider["_id"], "probe")[1]
    headers = {"Authorization": f"Bearer {token}"}
    missing = big_case["reference"][:-6] + "999999"
    _assert_same_time(lambda url: client.get(url, headers=headers).status_code,
                      f"/api/v1/cases/{big_case['reference']}", f"/api/v1/cases/{missing}")


def test_page__out_of_scope_and_missing_reference_take_the_same_time(client, login_as,
                                                                      big_case):
    login_as("reviewer", countries=["SG"])
    missing = big_case["reference"][:-6] + "999999"
    _assert_same_time(lambda url: client.get(url).status_code,
                      f"/cases/{big_case['reference']}", f"/cases/{missing}")


def test_status__wrong_code_and_missing_reference_take_the_same_time(svc, big_case):
    missing = big_case["reference"][:-6] + "999999"

    def lookup(reference: str) -> int:
        return 404 if svc.cases.by_tracking(reference, "WRONG-CODE-1234") is None else 200

    _assert_same_time(lookup, big_case["reference"], missing)
