"""Benchmarks for zonewatch: extraction throughput against an lxml-only floor, and the
quality gate on a scaled build copy. `python -m benchmarks.run` (or `make bench`)."""
