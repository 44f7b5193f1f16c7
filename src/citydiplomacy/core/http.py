"""The one HTTP policy for SPARQL queries and Graph Store uploads.

Servers can be hostile or broken, so every request made by citydip goes through here:
- retries on 429/503 by urllib3's ``Retry`` (Retry-After honoured, waits capped, bounded backoff);
- ``timeout`` is a deadline for the whole request (headers and body), not a per-read
  timeout a server can keep alive by sending one byte at a time;
- a response larger than ``max_bytes`` is an error, read in chunks, never buffered whole;
- redirects: an upload never follows one; a query follows one only to the same
  scheme, host and port, so credentials never travel to another host;
- user:password@ in a URL is used as the credentials and never printed: every message
  goes through ``scrub_secrets``.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from requests.auth import HTTPBasicAuth, HTTPDigestAuth
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import InvalidHeader
from urllib3.util.retry import Retry

from citydiplomacy import __version__
from citydiplomacy.core.errors import CitydipError
from citydiplomacy.core.namespaces import PROJECT_URL
from citydiplomacy.core.sizes import human_size

USER_AGENT = f"citydip/{__version__} (+{PROJECT_URL})"
RETRY_STATUSES = (429, 503)
MAX_WAIT = 30  # seconds: the longest single wait between retries, whatever Retry-After asks
DEFAULT_MAX_RESPONSE = 512 * 1024**2
ERROR_BODY_BYTES = 64 * 1024  # an error page is only read this far (for its first line)
MAX_REDIRECTS = 5
CHUNK = 64 * 1024
REDIRECT_STATUSES = (301, 302, 303, 307, 308)

# scheme://userinfo@ : userinfo runs to the last "@" before the host part ends.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^\s/?#@]*(?:@[^\s/?#@]*)*@")


def scrub_secrets(text: str, mask: str = "") -> str:
    """*text* with the user:password@ part of every URL in it removed (or replaced by *mask*,
    e.g. ``***@``, where a message should show that the URL carried credentials)."""
    return _USERINFO.sub(lambda match: match.group(1) + mask, str(text))


def printable(text: str) -> str:
    """*text* on one line, without control characters (a server's text must not drive the terminal)."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in str(text)).split())


def redact(url: str) -> str:
    """*url* for messages: without credentials (works on any text, even an invalid URL)."""
    return scrub_secrets(url)


def check_url(url: str, option: str = "--endpoint") -> str:
    """*url* if it is an http(s) URL with a host and a valid port; else a one-line error."""
    parts = urlsplit(url)
    example = "give for example http://localhost:8890/sparql"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CitydipError(f"{option} {redact(url)!r}: not an http(s) URL with a host; {example}")
    try:
        _ = parts.port  # urlsplit checks the port only when it is read
    except ValueError:
        raise CitydipError(f"{option} {redact(url)!r}: the port is not a number from 1 to 65535; {example}") from None
    return url


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """(url without user:password@, user, password) — the URL's credentials, percent-decoded."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None, None
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    clean = urlunsplit((parts.scheme, hostport, parts.path, parts.query, parts.fragment))
    return clean, unquote(user), unquote(password)


def origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port or (443 if parts.scheme == "https" else 80)


class CappedRetry(Retry):
    """urllib3's Retry; a Retry-After that is not a number or a date means 'use the backoff'."""

    def get_retry_after(self, response):
        try:
            return super().get_retry_after(response)
        except InvalidHeader:
            return None


def retry_policy(retries: int) -> Retry:
    """Retry 429/503 up to *retries* times (any method), waits capped at MAX_WAIT; nothing else."""
    return CappedRetry(
        total=retries,
        connect=0,
        read=0,
        other=0,
        redirect=0,
        status=retries,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=None,
        respect_retry_after_header=True,
        backoff_factor=0.5,
        backoff_max=MAX_WAIT,
        retry_after_max=MAX_WAIT,
        raise_on_status=False,
        raise_on_redirect=False,
    )


# ------------------------------------------------------------------ the deadline per request

_in_flight = threading.local()


class Deadline:
    """Closes the connection in flight when the time is up: socket timeouts restart at each byte.

    Armed again at each attempt (a retry gets its own time; waits between tries do not count).
    """

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.fired = False
        self.attempts = 0
        self.ends = time.monotonic() + seconds
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._socket = None

    def arm(self, connection) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self.fired = False
            self._socket = None
            self.attempts += 1
            self.ends = time.monotonic() + self.seconds
            timer = threading.Timer(self.seconds, self._fire, args=(connection,))
            timer.daemon = True
            self._timer = timer
        timer.start()

    def _fire(self, connection) -> None:
        with self._lock:
            if self._timer is not threading.current_thread():
                return  # re-armed meanwhile
            self.fired = True
        # http.client drops conn.sock once a closing response is under way; the socket we saw is still read.
        sock = getattr(connection, "sock", None) or self._socket
        if sock is not None:
            with contextlib.suppress(
                OSError
            ):  # the plain socket call, also under TLS: wakes the reading thread with EOF
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def sent_on(self, sock) -> None:
        with self._lock:
            self._socket = sock

    def expired(self) -> bool:
        return self.fired or time.monotonic() >= self.ends

    def stop(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = None


class _WatchedHTTPConnection(HTTPConnection):
    def request(self, *args, **kwargs):
        deadline = getattr(_in_flight, "deadline", None)
        if deadline is not None:
            deadline.arm(self)
        super().request(*args, **kwargs)
        if deadline is not None:
            deadline.sent_on(self.sock)


class _WatchedHTTPSConnection(_WatchedHTTPConnection, HTTPSConnection):
    pass


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _PolicyAdapter(HTTPAdapter):
    """requests' adapter whose connections are watched by the request's Deadline."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class _CappedDigestAuth(HTTPDigestAuth):
    """requests' digest auth, reading only the start of the 401 page before answering the challenge."""

    def handle_401(self, r, **kwargs):
        if r._content is False and "digest" in r.headers.get("www-authenticate", "").lower():
            # Left unconsumed on purpose: requests then closes the connection instead of reusing it.
            r._content = r.raw.read(ERROR_BODY_BYTES, decode_content=True) or b""
        return super().handle_401(r, **kwargs)


# ------------------------------------------------------------------ the client


@dataclass
class Fetched:
    """A response read under the policy: its body is complete (or, for an error, its start)."""

    status: int
    reason: str
    headers: requests.structures.CaseInsensitiveDict
    body: bytes
    url: str
    tries: int = 1

    def first_line(self) -> str:
        text = self.body.decode("utf-8", errors="replace")
        for line in text.splitlines():
            if line.strip():
                return scrub_secrets(printable(line))[:300]
        return ""


class HttpClient:
    """Requests to one server under the policy; every failure is a one-line CitydipError."""

    def __init__(
        self,
        url: str,
        *,
        option: str = "--endpoint",
        timeout: float = 60.0,
        retries: int = 3,
        max_bytes: int = DEFAULT_MAX_RESPONSE,
        user: str | None = None,
        password: str | None = None,
        auth: str = "basic",
    ):
        check_url(url, option)
        self.url, url_user, url_password = split_credentials(url)
        self.where = redact(url)
        self.option, self.timeout, self.max_bytes = option, float(timeout), max_bytes
        self.user = user or url_user
        self.password = (password if user else url_password) or ""
        self.auth = auth
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        adapter = _PolicyAdapter(max_retries=retry_policy(retries))
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        if self.user and auth == "basic":
            self.session.auth = HTTPBasicAuth(self.user, self.password)
        elif self.user and auth == "digest":
            self.session.auth = _CappedDigestAuth(self.user, self.password)

    def fetch(
        self, method: str, url: str | None = None, *, data=None, headers=None, params=None, upload: bool = False
    ) -> Fetched:
        """Send one request; follow a redirect only for a query and only to the same origin."""
        current = self.url if url is None else split_credentials(url)[0]
        for _ in range(MAX_REDIRECTS + 1):
            fetched = self._send_authenticated(method, current, data, headers, params)
            location = fetched.headers.get("Location")
            if fetched.status not in REDIRECT_STATUSES or not location:
                return fetched
            target = urljoin(current, location)
            self._check_redirect(fetched.status, current, target, upload)
            if fetched.status == 303:
                method, data = "GET", None
            current, params = target, None
        raise CitydipError(f"{self.where}: more than {MAX_REDIRECTS} redirects; give the final URL as {self.option}")

    def _check_redirect(self, status: int, current: str, target: str, upload: bool) -> None:
        if upload:
            raise CitydipError(
                f"{self.where}: the server redirects the upload to {redact(target)} (HTTP {status}); "
                f"uploads do not follow redirects: give that URL as {self.option} if it is the right one"
            )
        if origin(target) != origin(current):
            raise CitydipError(
                f"{self.where}: the server redirects to {redact(target)} (HTTP {status}), another scheme, "
                f"host or port; not followed, so no credentials leave {origin(current)[1]}: "
                f"give that URL as {self.option} if you trust it"
            )

    def _send_authenticated(self, method, url, data, headers, params) -> Fetched:
        fetched = self._send(method, url, data, headers, params)
        if fetched.status == 401 and self.user and self.auth == "auto" and self.session.auth is None:
            challenge = fetched.headers.get("WWW-Authenticate", "").lower()
            digest = challenge.startswith("digest")
            self.session.auth = (_CappedDigestAuth if digest else HTTPBasicAuth)(self.user, self.password)
            fetched = self._send(method, url, data, headers, params)
        return fetched

    def _send(self, method, url, data, headers, params) -> Fetched:
        deadline = Deadline(self.timeout)
        _in_flight.deadline = deadline
        try:
            response = self.session.request(
                method,
                url,
                data=data,
                headers=headers,
                params=params,
                stream=True,
                allow_redirects=False,
                timeout=(self.timeout, self.timeout),
            )
            with response:
                body = self._read_body(response, deadline)
            deadline.stop()
            if deadline.fired:
                raise CitydipError(self._timed_out())
        except requests.RequestException as exc:
            raise CitydipError(self._transport_message(exc, deadline)) from None
        finally:
            deadline.stop()
            _in_flight.deadline = None
        return Fetched(
            response.status_code,
            printable(response.reason or ""),
            response.headers,
            body,
            response.url,
            max(1, deadline.attempts),
        )

    def _read_body(self, response: requests.Response, deadline: Deadline) -> bytes:
        """The body, read in chunks; over max_bytes is an error (an error page is just cut short)."""
        is_error = response.status_code >= 300
        cap = ERROR_BODY_BYTES if is_error else self.max_bytes
        declared = response.headers.get("Content-Length", "")
        if not is_error and declared.isdigit() and int(declared) > cap:
            raise CitydipError(self._too_large(f"announces {int(declared)} bytes"))
        body = bytearray()
        for chunk in response.iter_content(CHUNK):
            body += chunk
            if len(body) > cap:
                if is_error:
                    return bytes(body[:cap])
                raise CitydipError(self._too_large(f"sent more than {human_size(cap)}"))
            if deadline.expired():
                raise CitydipError(self._timed_out())
        return bytes(body)

    def _too_large(self, what: str) -> str:
        return (
            f"{self.where}: the answer {what}, over the limit of {human_size(self.max_bytes)}; "
            "ask for less (e.g. LIMIT) or raise --max-response-size"
        )

    def _timed_out(self) -> str:
        return (
            f"{self.where}: timed out, no complete answer within {self.timeout:g} s "
            "(--timeout is the whole time allowed per request); raise --timeout or check the server"
        )

    def _transport_message(self, exc: requests.RequestException, deadline: Deadline) -> str:
        text = " ".join(str(exc).split())
        if deadline.fired or isinstance(exc, requests.Timeout) or "timed out" in text.lower():
            return self._timed_out()
        if "refused" in text.lower():
            return f"{self.where}: connection refused; is the server running and the port right?"
        if "resolution" in text.lower() or "name or service not known" in text.lower():
            return f"{self.where}: unknown host; check the URL"
        if isinstance(exc, requests.exceptions.InvalidURL):
            return f"{self.where}: not a valid URL ({scrub_secrets(text)[:200]}); check {self.option}"
        return f"{self.where}: the connection failed ({exc.__class__.__name__}: {scrub_secrets(text)[:200]})"
