"""The registry of recruiters, employers and other actors named in cases."""
