"""Numbers in normalised text → fact mentions (value, unit, qualifier, indicator, status,
period, region), driven by the lexicons in ``dbt_project/seeds`` and ``rules.yml``."""

from ingest.extract.facts import Mention, extract_mentions, reference_year
from ingest.extract.lexicon import load_lexicon
from ingest.extract.version import extractor_version

EXTRACTOR_VERSION = extractor_version()

__all__ = ["EXTRACTOR_VERSION", "Mention", "extract_mentions", "load_lexicon", "reference_year"]
