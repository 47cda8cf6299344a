"""Widgets, pages, dialogs and Qt item models: the only place that imports QtWidgets."""
