"""QObject services: signals and async slots that glue the core to the pages (QtCore only, no widgets)."""
