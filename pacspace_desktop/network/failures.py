"""Classifying transport failures: was anything sent before the connection failed?"""

from __future__ import annotations

import socket
import ssl

import httpx

from pacspace_desktop.domain.catalogue import OutcomeKind


def classify_transport_error(exc: httpx.TransportError) -> OutcomeKind:
    """Map an httpx transport failure to an outcome, telling 'nothing sent' from 'unknown'.

    Connect-phase failures (DNS, refused, TLS, connect timeout, pool timeout) happen before a
    byte of the request leaves the machine. Failures while writing or reading happen after the
    request may have reached PacSpace, so their outcome is unknown.
    """
    if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
        return OutcomeKind.TIMEOUT_BEFORE_SEND
    if isinstance(exc, httpx.WriteTimeout | httpx.ReadTimeout):
        return OutcomeKind.TIMEOUT_AFTER_SEND
    if isinstance(exc, httpx.ConnectError):
        return _connect_kind(exc)
    if isinstance(exc, httpx.ProxyError | httpx.UnsupportedProtocol):
        return OutcomeKind.CONNECT_FAILED
    if isinstance(exc, httpx.TimeoutException):
        return OutcomeKind.TIMEOUT_AFTER_SEND
    return OutcomeKind.CONNECTION_DROPPED


def _connect_kind(exc: BaseException) -> OutcomeKind:
    seen: set[int] = set()
    current: BaseException | None = exc
    text = ""
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, socket.gaierror):
            return OutcomeKind.HOST_NOT_FOUND
        if isinstance(current, ConnectionRefusedError):
            return OutcomeKind.CONNECTION_REFUSED
        if isinstance(current, ssl.SSLError | ssl.CertificateError):
            return OutcomeKind.TLS_ERROR
        text += " " + str(current)
        current = current.__cause__ or current.__context__
    lowered = text.lower()
    if any(s in lowered for s in ("name or service not known", "nodename nor servname",
                                  "getaddrinfo failed", "temporary failure in name resolution",
                                  "no address associated")):
        return OutcomeKind.HOST_NOT_FOUND
    if "refused" in lowered or "errno 111" in lowered:
        return OutcomeKind.CONNECTION_REFUSED
    if "certificate" in lowered or "ssl" in lowered or "tls" in lowered:
        return OutcomeKind.TLS_ERROR
    return OutcomeKind.CONNECT_FAILED
