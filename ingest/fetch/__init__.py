"""Fetch: sources, discovery of article links, crawling, HTTP with its network boundary,
robots.txt, per-host rate limits and URL canonicalisation."""
