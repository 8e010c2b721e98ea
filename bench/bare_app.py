"""The bare endpoint of the intake benchmark: Flask doing one insert, nothing else.

Served by the same gunicorn set-up as the app, so the ratio shows what MRVRS adds
(token check, form validation, derived fields, sealing, reference counter, routing
enqueue) over the insert the server must do anyway.
"""

from __future__ import annotations

import os
import secrets

from flask import Flask, request
from pymongo import MongoClient


def create_app() -> Flask:
    app = Flask(__name__)
    cases = MongoClient(os.environ["MRVRS_MONGO_URI"])[os.environ["MRVRS_DB_NAME"]].bare_cases

    @app.post("/bare")
    def bare():  # the same JSON body the API gets, stored as it came
        cases.insert_one({"_id": secrets.token_hex(12), **(request.get_json() or {})})
        return {"ok": True}, 201

    return app
