"""The case lifecycle: stage machine, routing rules, case repository, Celery tasks.

May import `config` and `forms`. The pure modules (stages, routing) import neither
flask, celery, pymongo, mongomock nor wtforms.
"""
