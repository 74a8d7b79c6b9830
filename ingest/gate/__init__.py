"""Gate: Great Expectations validation of the built warehouse (the spec in
expectations/gate.yml, the GX context, the frames, the run and its report)."""
