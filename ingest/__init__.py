"""zonewatch: regional-development pages in, validated facts out."""
