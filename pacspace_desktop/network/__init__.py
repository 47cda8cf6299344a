"""Talking to PacSpace over HTTP: the write client, its retry policy and response parsing."""
