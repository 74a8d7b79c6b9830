"""Numbers in normalised text → fact mentions (value, unit, qualifier, indicator, status,
period, region), driven by the lexicons in ``dbt_project/seeds`` and ``rules.yml``."""

from ingest.process.extract.facts import Mention, extract_mentions, reference_year
from ingest.process.extract.lexicon import load_lexicon
from ingest.process.extract.version import extractor_version

__all__ = ["Mention", "extract_mentions", "extractor_version", "load_lexicon",
           "reference_year"]
