"""Classifying transport failures: was anything sent before the connection failed?"""

from __future__ import annotations

import os
import re
import socket
import ssl
from typing import TYPE_CHECKING

from pacspace_desktop.domain.catalogue import OutcomeKind

if TYPE_CHECKING:  # loaded by the time a transport error exists; not at the app's start
    import httpx


def classify_transport_error(exc: httpx.TransportError) -> OutcomeKind:
    """Map an httpx transport failure to an outcome, telling 'nothing sent' from 'unknown'.

    Connect-phase failures (DNS, refused, TLS, connect timeout, pool timeout) happen before a
    byte of the request leaves the machine. Failures while writing or reading happen after the
    request may have reached PacSpace, so their outcome is unknown.
    """
    import httpx

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


_SSL_NOISE = re.compile(r"\s*\(_ssl\.c:\d+\)|\[SSL: [A-Z_]+\]\s*|\[X509: [A-Z_]+\]\s*")
_ERRNO = re.compile(r"\[Errno -?\d+\]\s*")


def describe_transport_error(exc: httpx.TransportError, kind: OutcomeKind,
                             trust: str = "") -> str:
    """What went wrong with the connection, in words, without exception names or codes.

    Args:
        exc: The failure.
        kind: Its outcome (from `classify_transport_error`).
        trust: For certificate failures, which certificates were used ("the operating
            system's certificate store", "SSL_CERT_FILE=…", …).
    """
    import httpx

    where = _where(exc)
    detail = _detail(exc)
    if kind is OutcomeKind.HOST_NOT_FOUND:
        text = f"The name {where} could not be looked up"
    elif kind is OutcomeKind.CONNECTION_REFUSED:
        text = f"{where} refused the connection"
        detail = "" if detail.lower() == "connection refused" else detail
    elif kind is OutcomeKind.TLS_ERROR:
        text = f"The certificate of {where} was not accepted"
        if trust:
            detail = f"{detail}; checked against {trust}" if detail else \
                f"checked against {trust}"
    elif kind is OutcomeKind.TIMEOUT_BEFORE_SEND:
        text, detail = f"No connection to {where} could be opened in time", ""
    elif kind is OutcomeKind.TIMEOUT_AFTER_SEND:
        text, detail = f"{where} did not answer in time after the request was sent", ""
    elif kind is OutcomeKind.CONNECTION_DROPPED:
        text = f"The connection to {where} closed before an answer came"
    elif isinstance(exc, httpx.ProxyError | httpx.UnsupportedProtocol):
        return detail.rstrip(".") + "." if detail else "The proxy could not be used."
    else:
        text = f"The connection to {where} could not be opened"
    return f"{text} ({detail})." if detail else f"{text}."


def _where(exc: httpx.TransportError) -> str:
    try:
        url = exc.request.url
    except RuntimeError:  # an error raised without its request
        return "the server"
    port = f":{url.port}" if url.port else ""
    return f"{url.host}{port}" if url.host else "the server"


def _detail(exc: BaseException) -> str:
    """The failure's own words (the innermost useful ones), without internal markers."""
    texts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError) and current.verify_message:
            texts.append(str(current.verify_message))
        elif isinstance(current, OSError) and not isinstance(current, socket.gaierror) \
                and isinstance(current.errno, int) and current.errno > 0:
            texts.append(os.strerror(current.errno))  # "Connection refused", not asyncio's text
        elif isinstance(current, OSError) and current.strerror:
            texts.append(str(current.strerror))
        elif str(current):
            texts.append(str(current))
        current = current.__cause__ or current.__context__
    for text in reversed(texts):
        text = _ERRNO.sub("", _SSL_NOISE.sub("", text)).strip()
        if text and text.lower() not in ("all connection attempts failed",):
            return text[:300]
    return ""
