"""QObject services: signals and async slots between the core and the pages (QtCore only)."""
