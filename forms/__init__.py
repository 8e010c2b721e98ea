"""The form-definition language: parsing, inheritance, validation, MWC taxonomy.

May import `config` only. The pure modules (schema, loader, inheritance, validation,
errors, mwc) import neither flask, celery, pymongo, mongomock nor wtforms.
"""
