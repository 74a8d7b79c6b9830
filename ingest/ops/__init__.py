"""Ops: what on-call reads and receives (failure notifications, failed validations,
the run summary)."""
