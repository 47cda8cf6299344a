"""PacSpace Desktop: record data in PacSpace's verification layer."""

__version__ = "0.1.0"
