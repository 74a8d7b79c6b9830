"""Landing: the durable landing zone (landing.duckdb and its DDL), raw bytes by sha256,
and the per-run spool fetch tasks write before one writer lands them."""
