"""The one place an HTTP client is made: timeouts, certificate checks, proxies and the User-Agent.

Two rules live here:

* **Loopback is never proxied.** A request to this computer (127.0.0.0/8, ::1, `localhost`)
  goes straight to it, whatever `HTTP_PROXY`/`ALL_PROXY` say: a proxy would otherwise see the
  key in clear on a plain-http sandbox URL. For a loopback base URL the client reads nothing
  from the environment; for any client, loopback addresses are mounted on a direct transport.
* **Which certificates are trusted is a setting, and the error says which was used**: the
  profile's CA bundle, the operating system's store (`truststore`), `SSL_CERT_FILE` /
  `SSL_CERT_DIR`, or the bundle that ships with the app (certifi), in that order.

A proxy setting that cannot be used (an unknown scheme) or a CA bundle that cannot be read does
not crash the app: every request of that client then fails before sending, in words.
"""

from __future__ import annotations

import os
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from pacspace_desktop import __version__
from pacspace_desktop.domain.urls import is_loopback_host

if TYPE_CHECKING:  # httpx and ssl are imported with the first client, not at the app's start
    import ssl

    import httpx

USER_AGENT = f"pacspace-desktop/{__version__}"
_LOOPBACK_MOUNTS = ("all://127.0.0.1", "all://localhost", "all://[::1]")
_TRUST_USED: weakref.WeakKeyDictionary[httpx.AsyncClient, str] = weakref.WeakKeyDictionary()


@dataclass(frozen=True, slots=True)
class TlsTrust:
    """Which certificate authorities a client trusts.

    Attributes:
        ca_bundle: A PEM file of the company's CA certificates (e.g. for a TLS-inspecting
            proxy), or "".
        system_store: Trust the operating system's certificate store (Windows, macOS, the
            Linux distribution's bundle) through `truststore`, plus `ca_bundle` if given.
    """

    ca_bundle: str = ""
    system_store: bool = False


def _unusable(error: type[httpx.TransportError], message: str) -> httpx.AsyncBaseTransport:
    """A transport that fails every request before it is sent, with the reason in words."""
    import httpx

    class _Unusable(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            raise error(message, request=request)

    return _Unusable()


def trust_used(http: httpx.AsyncClient) -> str:
    """The certificates a client made here checks servers against, in words ("" if unknown)."""
    return _TRUST_USED.get(http, "")


def _context(trust: TlsTrust) -> tuple[ssl.SSLContext, str]:
    """The TLS context and its description. Raises OSError/ssl.SSLError for a bad bundle."""
    import ssl

    if trust.system_store:
        import truststore

        ctx: ssl.SSLContext = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        words = "the operating system's certificate store"
        if trust.ca_bundle:
            ctx.load_verify_locations(cafile=trust.ca_bundle)
            words += f" and the CA bundle {trust.ca_bundle}"
        return ctx, words
    if trust.ca_bundle:
        return (ssl.create_default_context(cafile=trust.ca_bundle),
                f"the CA bundle {trust.ca_bundle} (profile setting)")
    cert_file, cert_dir = os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")
    if cert_file or cert_dir:
        named = " and ".join(f"{k}={v}" for k, v in (("SSL_CERT_FILE", cert_file),
                                                     ("SSL_CERT_DIR", cert_dir)) if v)
        return ssl.create_default_context(cafile=cert_file or None, capath=cert_dir or None), \
            named
    import certifi

    return (ssl.create_default_context(cafile=certifi.where()),
            "the certificates that come with the app (certifi)")


def make_http_client(timeout: float = 30.0, *, base_url: str = "",
                     trust: TlsTrust | None = None,
                     transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    """An `httpx.AsyncClient` for PacSpace: certificates verified, no redirects followed.

    Redirects are not followed because a redirected POST may be replayed or turned into a GET;
    either way the outcome of a write must come from PacSpace itself.

    Args:
        timeout: Seconds to wait for an answer; connecting gets at most 10 s of it.
        base_url: Where the client will send; a loopback address makes it ignore every proxy
            and certificate setting of the environment.
        trust: Which certificates to trust (default: `SSL_CERT_FILE` or the app's bundle).
        transport: Only for tests of this layer (no proxies, nothing from the environment).
    """
    import ssl

    import httpx

    trust = trust or TlsTrust()
    try:
        host = urlsplit(base_url.strip()).hostname or ""
    except ValueError:
        host = ""
    loopback = bool(host) and is_loopback_host(host)
    common: dict[str, object] = {
        "timeout": httpx.Timeout(timeout, connect=min(10.0, timeout)),
        "headers": {"User-Agent": USER_AGENT, "Accept": "application/json"},
        "follow_redirects": False,
    }
    try:
        if loopback and base_url.strip().lower().startswith("http://") and transport is None:
            # Plain http on this computer (the built-in sandbox): no TLS to check, so no
            # certificates to load (~30-100 ms); a TLS request through it fails closed.
            ctx, words = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT), "no certificates (plain http)"
        else:
            ctx, words = _context(trust)
    except (OSError, ssl.SSLError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        message = (f"The CA bundle {trust.ca_bundle} cannot be used as certificates "
                   f"({reason}). Nothing was sent; fix the CA bundle in the profile settings.")
        client = httpx.AsyncClient(transport=_unusable(httpx.ConnectError, message),
                                   trust_env=False, **common)  # type: ignore[arg-type]
        _TRUST_USED[client] = f"the CA bundle {trust.ca_bundle}, which cannot be read"
        return client
    if transport is not None or loopback:
        client = httpx.AsyncClient(verify=ctx, trust_env=False, transport=transport,
                                   **common)  # type: ignore[arg-type]
    else:
        direct = httpx.AsyncHTTPTransport(verify=ctx, trust_env=False)
        try:
            client = httpx.AsyncClient(verify=ctx, trust_env=True,
                                       mounts={m: direct for m in _LOOPBACK_MOUNTS},
                                       **common)  # type: ignore[arg-type]
        except (ImportError, ValueError) as exc:  # e.g. ALL_PROXY=ftp://…: an unknown scheme
            client = httpx.AsyncClient(
                transport=_unusable(httpx.ProxyError, _proxy_words(exc)), trust_env=False,
                **common)  # type: ignore[arg-type]
    _TRUST_USED[client] = words
    return client


def _proxy_words(exc: BaseException) -> str:
    named = [f"{k}={_safe_url(v)}" for k, v in os.environ.items()
             if k.lower() in ("all_proxy", "https_proxy", "http_proxy") and v]
    setting = ", ".join(named) or "the proxy setting"
    return (f"The proxy setting {setting} cannot be used ({exc}). Nothing was sent; fix or "
            "remove it, or ask IT for the right proxy address.")


def _safe_url(url: str) -> str:
    """A proxy URL without its password."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(not a web address)"
    if parts.password:
        return url.replace(f":{parts.password}@", ":•••@")
    return url
