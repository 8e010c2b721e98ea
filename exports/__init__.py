"""Writers, redaction, indicators and compiled reports.

May import `config`, `forms` and `workflows`, never `app`. The pure modules
(writers, redaction, indicators) import neither flask, celery, pymongo nor wtforms.
"""
