"""failsite: a static-site generator for failure-storytelling programmes."""

__version__ = "0.1.0"
