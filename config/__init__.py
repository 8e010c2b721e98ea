"""Settings read once from the environment, and the database connection factory.

Imports nothing else of MRVRS, and neither Flask nor Celery.
"""
