"""Bulk import of case files a member organisation already keeps (docs/imports.md)."""
