"""Is a file already on the index? The project's page of the simple repository API, as PEP
691 JSON when the index speaks it, else the PEP 503 HTML page, asked with the upload's
credentials: the sha256 of the file of that name, if listed.

This is what makes ``--skip-existing`` safe on every index: a file is skipped only when the
index holds the same bytes."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Mapping
from typing import Optional
from urllib.parse import urljoin, urlsplit

from packaging.utils import canonicalize_name

from rustwheel.stages.upload.index import (
    REDIRECTS,
    Response,
    UploadError,
    answer_line,
    send,
    shown_url,
)

ACCEPT = ("application/vnd.pypi.simple.v1+json, "
          "application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1")
NOT_LISTED = ""
_ANCHOR = re.compile(r"<a\s[^>]*href=\"([^\"]*)\"[^>]*>(.*?)</a>", re.IGNORECASE | re.DOTALL)


def simple_url(upload_url: str) -> str:
    """The simple index beside an upload URL: ``.../legacy/`` → ``.../simple/`` (PyPI's
    ``upload.pypi.org`` → ``pypi.org``), else ``<upload URL>/simple/`` (pypiserver)."""
    base = upload_url.rstrip("/") + "/"
    if base.endswith("/legacy/"):
        base = base[:-len("legacy/")]
    base = base.replace("://upload.pypi.org/", "://pypi.org/")
    return urljoin(base, "simple/")


def _from_json(body: bytes, filename: str) -> Optional[str]:
    for entry in json.loads(body).get("files", []):
        if entry.get("filename") == filename:
            return str(entry.get("hashes", {}).get("sha256", ""))
    return None


def _from_html(body: bytes, filename: str) -> Optional[str]:
    for href, text in _ANCHOR.findall(body.decode("utf-8", "replace")):
        if html.unescape(text).strip() == filename:
            fragment = html.unescape(href).partition("#")[2]
            return fragment[len("sha256="):] if fragment.startswith("sha256=") else ""
    return None


def _get(url: str, headers: Mapping[str, str], verbose: bool) -> Response:
    """GET, following redirects on the same host (``/simple/x`` → ``/simple/x/``)."""
    for _ in range(4):
        response = send("GET", url, {**headers, "Accept": ACCEPT}, verbose=verbose)
        location = response.headers.get("Location") or response.headers.get("location")
        if response.status not in REDIRECTS or not location:
            return response
        target = urljoin(url, location)
        if urlsplit(target).netloc != urlsplit(url).netloc:
            raise UploadError(f"{shown_url(url)} redirects to another host; pass the index's "
                              "own URL (--check-url)")
        url = target
    raise UploadError(f"{shown_url(url)} redirects too many times; pass the right URL")


def listed_sha256(check_url: str, project: str, filename: str, headers: Mapping[str, str],
                  retrying: Callable[[Callable[[], Response]], Response],
                  verbose: bool = False) -> Optional[str]:
    """The sha256 the index lists for ``filename`` (`NOT_LISTED` when it lists the file
    without one), or None when the file is not there."""
    url = urljoin(check_url.rstrip("/") + "/", f"{canonicalize_name(project)}/")
    response = retrying(lambda: _get(url, headers, verbose))
    if response.status == 404:
        return None
    if response.status in (401, 403):
        raise UploadError(f"{shown_url(url)} answered {answer_line(response)}: the "
                          "credentials cannot read the index; check them")
    if response.status != 200:
        raise UploadError(f"asking {shown_url(url)} whether {filename} is there: "
                          f"{answer_line(response)}")
    kind = response.headers.get("Content-Type") or response.headers.get("content-type") or ""
    try:
        if "json" in kind:
            return _from_json(response.body, filename)
    except (ValueError, AttributeError):
        raise UploadError(f"{shown_url(url)} answered JSON that is not PEP 691's") from None
    return _from_html(response.body, filename)
