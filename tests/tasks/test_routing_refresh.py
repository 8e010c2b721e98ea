"""Done when: a routing change saved by an administrator is in force on a running worker
without a restart, and the cases that fell to the fallback team follow the new team."""

import time

import pytest

from tests.case_helpers import ANSWERS, file_case
from tests.tasks.workflow_services import make_app, wait_for, workflow_environ
from workflows.assembly import reroute_sender, route_sender
from workflows.routing_edits import add_team

pytestmark = pytest.mark.integration

REFRESH_SECONDS = 1
VIET_NAM = {**ANSWERS, "destination_country": "VN"}


def test_worker__routes_by_the_new_version_after_the_refresh__no_restart(
        mongo_uri, private_redis, workers, database_name):
    env = workflow_environ(mongo_uri, private_redis.url, database_name,
                           MRVRS_ROUTING_REFRESH_SECONDS=str(REFRESH_SECONDS))
    app = make_app(env)
    svc = app.extensions["mrvrs"]
    try:
        svc.seed_routing()
        worker = workers(env)
        route = route_sender(svc.celery, "test")

        def routed(case_id):
            case = svc.cases.get(case_id)
            return case if case["stage"] != "submitted" else None

        before = file_case(svc, form_id="vn-intake", answers=VIET_NAM, route=False)
        route(before["_id"])
        assert wait_for(lambda: routed(before["_id"]), "routing on the worker")["team"] == \
            "secretariat"

        config = svc.routing_store.latest()["config"]
        version = svc.routing_store.save(add_team(config, "vn-team", ["VN"]), expected=1,
                                         actor="u_admin")
        reroute_sender(svc.celery)(version["_id"])
        time.sleep(REFRESH_SECONDS + 0.5)  # the provider's contract: asks again after this

        after = file_case(svc, form_id="vn-intake", answers=VIET_NAM, route=False)
        route(after["_id"])
        assert wait_for(lambda: routed(after["_id"]), "routing on the worker")["team"] == \
            "vn-team"
        moved = wait_for(lambda: (c := svc.cases.get(before["_id"]))["team"] == "vn-team"
                         and c, "re-routing on the worker")
        assert [e["data"]["from_team"] for e in moved["events"]
                if e["kind"] == "team_change"] == ["secretariat"]
        assert worker.process.poll() is None  # the same worker, never restarted
    finally:
        svc.db.client.close()
