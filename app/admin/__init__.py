"""The administrators' area: users, organisations and the audit log (`views`)."""
