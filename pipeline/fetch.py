"""Fetch one http(s) URL with hard limits, for ingest.

Only `http` and `https` are fetched, also after a redirect; redirects are
followed here, hop by hop, so every hop is checked (at most 5 by default, a loop
is named as such). The body is capped while it streams, and a gzip or deflate
body is capped *after* inflating, chunk by chunk, so a compression bomb stops at
the cap instead of filling memory. Time is capped twice: every socket operation
(connect, each read) has a timeout, and a watchdog shuts the socket when the
total deadline passes, so a server that trickles bytes cannot hold a run.

Failures raise `FetchError`, whose `code` and `fields` make an ingest `Issue`.
Not covered: name resolution (DNS) is not bounded by the deadline, and no
address is refused (loopback and private networks are fetched like any other
host), so run untrusted URL lists where the network itself is fenced.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
import zlib
from dataclasses import dataclass
from email.message import Message
from urllib.parse import quote, urljoin, urlsplit

from . import __version__

ALLOWED_SCHEMES = ("http", "https")
_REDIRECTS = (301, 302, 303, 307, 308)
_READ_SIZE = 64 * 1024


@dataclass(frozen=True)
class FetchLimits:
    """The caps of one fetch: bytes (after decompression), seconds and redirect hops."""

    max_bytes: int = 10 * 1024 * 1024
    timeout: float = 10.0  # each connect and each read
    deadline: float = 30.0  # the whole fetch, redirects included
    max_redirects: int = 5


@dataclass(frozen=True)
class Fetched:
    """A fetched body, already decompressed, with what the server said about it."""

    url: str  # after redirects
    body: bytes
    content_type: str  # media type, lower case, no parameters ("" when absent)
    charset: str | None  # the declared charset, which may be wrong


class FetchError(Exception):
    """A URL that could not be fetched; `code` and `fields` name an ingest issue."""

    def __init__(self, code: str, **fields: object) -> None:
        super().__init__(f"{code} {fields}")
        self.code = code
        self.fields = fields


class _TooLarge(Exception):
    pass


def check_scheme(url: str, via: str | None = None) -> None:
    """Raise I010 unless the URL is http(s); `via` names the URL that redirected here."""
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError as err:  # "http://[broken"
        raise FetchError("I016", url=_short(url), error=f"not a valid URL: {err}") from None
    if scheme not in ALLOWED_SCHEMES:
        redirected = f" (redirected from {via})" if via else ""
        raise FetchError("I010", url=_short(url), scheme=scheme or "none", via=redirected)


def fetch(url: str, limits: FetchLimits | None = None) -> Fetched:
    """GET `url` within `limits`, following redirects; raise `FetchError` on any failure."""
    limits = limits or FetchLimits()
    check_scheme(url)
    end = time.monotonic() + limits.deadline
    seen = {url}
    current = url
    for _hop in range(limits.max_redirects + 1):
        target, result = _get_once(current, url, limits, end)
        if result is not None:
            return result
        assert target is not None
        check_scheme(target, via=current)
        if target in seen:
            raise FetchError("I012", url=_short(url), target=_short(target))
        seen.add(target)
        current = target
    raise FetchError("I011", url=_short(url), limit=limits.max_redirects)


def _get_once(url: str, first: str, limits: FetchLimits, end: float) -> tuple[str | None, Fetched | None]:
    """One request: (redirect target, None) or (None, the fetched body)."""
    parts = urlsplit(url)
    try:
        host, port = parts.hostname, parts.port
        if not host:
            raise FetchError("I016", url=_short(first), error="the URL names no host")
        timeout = _remaining(first, end, limits.timeout)
        if parts.scheme.lower() == "https":
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            conn = http.client.HTTPConnection(host, port, timeout=timeout)
        path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
        query = quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
        conn.connect()
        sock = conn.sock  # kept: the connection drops it once the response owns the socket
        watchdog = threading.Timer(max(end - time.monotonic(), 0.0), _shut, (sock,))
        watchdog.daemon = True
        watchdog.start()
        try:
            conn.request("GET", path + (f"?{query}" if query else ""), headers=_HEADERS)
            response = conn.getresponse()
            if response.status in _REDIRECTS and response.getheader("Location"):
                return urljoin(url, response.getheader("Location", "").strip()), None
            if not 200 <= response.status < 300:
                raise FetchError("I013", url=_short(first), status=response.status, reason=response.reason)
            body = _read_body(response, sock, first, limits, end)
        finally:
            watchdog.cancel()
            conn.close()
    except FetchError:
        raise
    except _TooLarge:
        raise FetchError("I014", url=_short(first), limit=limits.max_bytes) from None
    except (OSError, http.client.HTTPException, ValueError, UnicodeError, zlib.error) as err:
        if time.monotonic() >= end - 0.05:  # the last read waits at most until the deadline
            raise FetchError("I015", url=_short(first), error=f"over the {limits.deadline:g} s deadline") from None
        if isinstance(err, TimeoutError):
            raise FetchError("I015", url=_short(first), error=f"no answer within {limits.timeout:g} s") from None
        raise FetchError("I016", url=_short(first), error=_describe(err)) from None
    media, charset = _content_type(response.getheader("Content-Type", ""))
    return None, Fetched(url=url, body=body, content_type=media, charset=charset)


_HEADERS = {
    "User-Agent": f"mizan/{__version__} (news claim extraction)",
    "Accept": "application/rss+xml, application/atom+xml, application/xml, text/xml, text/html;q=0.9, */*;q=0.5",
    "Accept-Encoding": "gzip, deflate",
}


def _read_body(response: http.client.HTTPResponse, sock: socket.socket, first: str, limits: FetchLimits, end: float) -> bytes:
    """The body, inflated when encoded, never more than `limits.max_bytes` of either form."""
    declared = response.getheader("Content-Length", "")
    if declared.strip().isdigit() and int(declared) > limits.max_bytes:
        raise _TooLarge()
    inflate = _Inflater(response.getheader("Content-Encoding", ""), limits.max_bytes)
    raw = 0
    while True:
        sock.settimeout(_remaining(first, end, limits.timeout))
        chunk = response.read1(_READ_SIZE)
        if not chunk:
            break
        raw += len(chunk)
        if raw > limits.max_bytes:
            raise _TooLarge()
        inflate.feed(chunk)
    if time.monotonic() >= end:  # the watchdog shut the socket: the body may be cut short
        raise FetchError("I015", url=_short(first), error=f"over the {limits.deadline:g} s deadline")
    return inflate.result()


class _Inflater:
    """Content-Encoding identity, gzip or deflate, inflated with an output cap."""

    def __init__(self, encoding: str, cap: int) -> None:
        self.encoding = encoding.strip().lower()
        if self.encoding not in ("", "identity", "gzip", "x-gzip", "deflate"):
            raise ValueError(f"unsupported Content-Encoding {self.encoding!r}")
        self.cap = cap
        self.parts: list[bytes] = []
        self.size = 0
        self.engine: zlib._Decompress | None = None  # type: ignore[name-defined]

    def feed(self, chunk: bytes) -> None:
        if self.encoding in ("", "identity"):
            self._keep(chunk)
            return
        while chunk:
            if self.engine is None:
                self.engine = zlib.decompressobj(self._wbits(chunk))
            room = self.cap - self.size
            out = self.engine.decompress(chunk, room + 1)  # at most one byte over the cap
            self._keep(out)
            chunk = self.engine.unused_data if self.engine.eof else b""
            if self.engine.eof:
                self.engine = None  # a gzip body may hold several members

    def _wbits(self, head: bytes) -> int:
        if self.encoding in ("gzip", "x-gzip"):
            return 16 + zlib.MAX_WBITS
        # "deflate" should be zlib-wrapped, but some servers send a raw stream
        return zlib.MAX_WBITS if head[:1] and head[0] & 0x0F == 8 else -zlib.MAX_WBITS

    def _keep(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.cap:
            raise _TooLarge()
        self.parts.append(data)

    def result(self) -> bytes:
        if self.engine is not None and self.size == 0 and not self.engine.eof:
            raise zlib.error("the compressed body ended early")
        return b"".join(self.parts)


def _content_type(header: str) -> tuple[str, str | None]:
    """('text/html', 'utf-8') from 'text/html; charset="UTF-8"'."""
    message = Message()
    message["Content-Type"] = header
    media = message.get_content_type() if header.strip() else ""
    charset = message.get_param("charset")
    return media.lower(), (str(charset).strip().lower() or None) if isinstance(charset, str) else None


def _remaining(first: str, end: float, timeout: float) -> float:
    left = end - time.monotonic()
    if left <= 0:
        raise FetchError("I015", url=_short(first), error="over the deadline")
    return min(timeout, left)


def _shut(sock: socket.socket | None) -> None:
    """Watchdog: end a fetch that outlived its deadline (a blocked read then returns)."""
    try:
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _describe(err: BaseException) -> str:
    text = str(err) or type(err).__name__
    return text if len(text) < 200 else text[:200] + "…"


def _short(url: str) -> str:
    return url if len(url) <= 300 else url[:300] + "…"
