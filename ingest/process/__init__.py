"""Process: raw bytes to documents and mentions (decode, parse, normalise, extract), one
page at a time or over a pool of workers."""
