"""Sending a run of items: outbox first, then requests, then outcomes — without Qt.

This layer sits above network and storage (which do not know each other) and below the Qt
services and the CLI, so the command line and the desktop app send through exactly one path.
"""
