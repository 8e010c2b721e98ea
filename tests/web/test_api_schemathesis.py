"""schemathesis against the live API on the real database: no 5xx, and every response
matches the schema the OpenAPI description gives for it.

The app runs in a thread on a free port against a uniquely named database on the
MongoDB-wire server, with the shipped forms published, a few cases filed and a
coordinator's bearer token, so the generated requests reach every operation with
a role that may use it. The number of examples per operation is bounded to keep
the run to a minute or two.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid

import pytest
from pymongo import MongoClient
from werkzeug.serving import make_server

from tests.helpers import PASSWORD, base_environ
from tests.intake_helpers import publish_shipped

pytestmark = pytest.mark.integration

#: Examples per operation and phase; MRVRS_SCHEMATHESIS_EXAMPLES raises it for a longer run.
EXAMPLES = int(os.environ.get("MRVRS_SCHEMATHESIS_EXAMPLES", "50"))
CHECKS = "not_a_server_error,response_schema_conformance,content_type_conformance"
ANSWERS = {"destination_country": "MY", "narrative": "Wages unpaid for three months.",
           "acts": ["unpaid_wages"], "consent_case_work": True}


@pytest.fixture
def live_api(mongo_uri):
    """(base URL, coordinator token, a filed case's reference) of the app serving a fresh
    database in a thread."""
    from app import create_app
    from config.settings import load_settings

    name = f"mrvrs_test_{uuid.uuid4().hex[:10]}"
    app = create_app(load_settings(base_environ(MRVRS_MONGO_URI=mongo_uri, MRVRS_DB_NAME=name)))
    svc = app.extensions["mrvrs"]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    try:
        svc.ensure_indexes()
        with app.app_context():
            publish_shipped(svc)
        coordinator = svc.users.create(f"coord-{name}@example.org", PASSWORD, ["coordinator"])
        _record, token = svc.tokens.create(coordinator["_id"], "schemathesis")
        client = app.test_client()
        for _ in range(2):
            filed = client.post("/api/v1/cases", headers={"Authorization": f"Bearer {token}"},
                                json={"form_id": "my-intake", "version": 1, "language": "en",
                                      "answers": ANSWERS})
            assert filed.status_code == 201, filed.json
        thread.start()
        yield f"http://127.0.0.1:{server.server_port}", token, filed.json["reference"]
    finally:
        server.shutdown()
        server.server_close()
        client = MongoClient(mongo_uri)
        client.drop_database(name)
        client.close()
        svc.db.client.close()


@pytest.mark.parametrize("identifiers", ["generated", "filed"])
def test_schemathesis__no_server_error_and_every_response_as_described(live_api, tmp_path,
                                                                       identifiers):
    """`generated`: path identifiers as schemathesis makes them up (mostly 404s);
    `filed`: a real case and form, so bodies reach the workflow and the form rules."""
    url, token, reference = live_api
    config = tmp_path / "schemathesis.toml"
    config.write_text("" if identifiers == "generated" else
                      f'[parameters]\n"path.reference" = "{reference}"\n'
                      '"path.form_id" = "my-intake"\n')
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run",
        f"{url}/api/v1/openapi.json",
        "--header", f"Authorization: Bearer {token}", "--checks", CHECKS,
        "--max-examples", str(EXAMPLES), "--phases", "examples,coverage,fuzzing",
        "--workers", "1", "--seed", "20261204", "--request-timeout", "30",
        "--report", "ndjson", "--report-dir", str(tmp_path),
    ]
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, timeout=540, cwd=tmp_path,
                            env={**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_TELEMETRY": "0"},
                            check=False)
    took = time.monotonic() - started
    assert result.returncode == 0, (f"schemathesis failed after {took:.0f} s\n"
                                    f"{result.stdout[-12000:]}\n{result.stderr[-3000:]}")
