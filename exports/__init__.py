"""Writers, redaction, indicators and compiled reports.

May import `config`, `forms` and `workflows`, never `app`. The pure modules (tabular,
filters, masking, consent, redaction, answer_values, columns, pipelines, indicators,
suppression and the writers package) import neither flask, celery, pymongo, mongomock,
gridfs nor wtforms: `tests/unit/exports/test_export_purity.py` and the import-linter
contracts in pyproject.toml check it. Running pipelines, storing files and sending
tasks belong to the edge modules (export jobs, tasks, reports).
"""
