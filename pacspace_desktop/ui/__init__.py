"""The desktop app's widgets, pages, dialogs and Qt item models (the only place that imports QtWidgets)."""
