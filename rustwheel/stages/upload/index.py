"""Requests to a package index with `http.client`: one request (`send`), retried on a 5xx
answer or a connection error with exponential backoff (`retrying`), and the index's answer as
one line (`answer_line`). Credentials are sent as HTTP Basic; they are never printed: ``-v``
logs each request without its Authorization header, and URLs are shown without user info."""

from __future__ import annotations

import base64
import http.client
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Optional, TypeVar
from urllib.parse import urlsplit, urlunsplit

from rustwheel import __version__
from rustwheel.errors import RustwheelError

RETRIES = 4
"""How many times a 5xx answer or a connection error is retried."""
DELAY_VARIABLE = "RUSTWHEEL_UPLOAD_RETRY_DELAY"
"""Seconds before the first retry (default 1; each next one waits twice as long)."""
TIMEOUT = 60.0
REDIRECTS = (301, 302, 303, 307, 308)
T = TypeVar("T")


class UploadError(RustwheelError):
    """The index refused a request, or could not be reached."""


class Retryable(Exception):
    """A 5xx answer or a connection error: worth trying again."""


@dataclass(frozen=True)
class Response:
    status: int
    reason: str
    headers: Mapping[str, str]
    body: bytes


def shown_url(url: str) -> str:
    """``url`` without user name and password."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


def basic_auth(username: str, password: str) -> str:
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


def _connection(url: str) -> tuple[http.client.HTTPConnection, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UploadError(f"{shown_url(url)}: not an http(s) URL; pass the index's upload "
                          "URL, e.g. https://upload.pypi.org/legacy/")
    cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    target = parts.path or "/"
    if parts.query:
        target += f"?{parts.query}"
    return cls(parts.hostname, parts.port, timeout=TIMEOUT), target


def _log(verbose: bool, method: str, url: str, headers: Mapping[str, str]) -> None:
    if verbose:
        from rustwheel import ui

        shown = ", ".join(f"{k}: {v}" for k, v in headers.items() if k.lower() != "authorization")
        ui.note(f"{method} {shown_url(url)} ({shown})")


def send(method: str, url: str, headers: Mapping[str, str],
         body: Optional[Iterable[bytes]] = None, verbose: bool = False) -> Response:
    """One request; `Retryable` on a connection error or a 5xx answer."""
    headers = {"User-Agent": f"rustwheel/{__version__}", **headers}
    _log(verbose, method, url, headers)
    conn, target = _connection(url)
    try:
        conn.putrequest(method, target, skip_accept_encoding=True)
        for key, value in headers.items():
            conn.putheader(key, value)
        conn.endheaders()
        for chunk in body or ():
            conn.send(chunk)
        answer = conn.getresponse()
        response = Response(answer.status, answer.reason, dict(answer.getheaders()),
                            answer.read(1024 * 1024))
    except (OSError, http.client.HTTPException) as exc:
        raise Retryable(f"cannot reach {shown_url(url)}: {exc or type(exc).__name__}") from None
    finally:
        conn.close()
    if response.status >= 500:
        raise Retryable(f"{shown_url(url)} answered {answer_line(response)}")
    return response


def retrying(attempt: Callable[[], T], note: Callable[[str], None],
             env: Mapping[str, str] = os.environ) -> T:
    """``attempt()``, tried again up to `RETRIES` times after a `Retryable`, waiting
    ``delay * 2**n`` seconds before retry n (exponential backoff)."""
    delay = float(env.get(DELAY_VARIABLE) or 1.0)
    for n in range(RETRIES + 1):
        try:
            return attempt()
        except Retryable as exc:
            if n == RETRIES:
                raise UploadError(f"{exc}; gave up after {RETRIES} retries") from None
            wait = delay * 2**n
            note(f"{exc}; retrying in {wait:g}s ({n + 1} of {RETRIES})")
            time.sleep(wait)
    raise AssertionError("unreachable")


def server_message(response: Response) -> str:
    """The server's message on one line: an HTML page's ``<pre>`` text (pypiserver's), else
    its text without the head, else the whole body."""
    import html

    text = response.body.decode("utf-8", "replace")
    pre = re.search(r"<pre>(.*?)</pre>", text, re.IGNORECASE | re.DOTALL)
    if pre and pre.group(1).strip() not in ("", "None"):
        text = pre.group(1)
    else:
        text = re.sub(r"<head>.*?</head>|<h1>.*?</h1>", " ", text,
                      flags=re.IGNORECASE | re.DOTALL)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return " ".join(text.split())[:300]


def answer_line(response: Response) -> str:
    """``403 Forbidden: <the server's message>``."""
    message = server_message(response)
    head = f"{response.status} {response.reason}".strip()
    return f"{head}: {message}" if message and message not in head else head
