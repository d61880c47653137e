"""Trusted publishing on GitHub Actions, by PyPI's documented flow: the index's OIDC audience
(``<index>/_/oidc/audience``), an ID token for it from the Actions runtime
(``ACTIONS_ID_TOKEN_REQUEST_URL`` with ``ACTIONS_ID_TOKEN_REQUEST_TOKEN``), exchanged at
``<index>/_/oidc/mint-token`` for a short-lived API token, uploaded with as ``__token__``.
No token appears in any message."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any, Optional
from urllib.parse import quote, urlsplit, urlunsplit

from rustwheel.stages.upload.index import UploadError, send, shown_url

URL_VARIABLE = "ACTIONS_ID_TOKEN_REQUEST_URL"
TOKEN_VARIABLE = "ACTIONS_ID_TOKEN_REQUEST_TOKEN"


def available(env: Mapping[str, str] = os.environ) -> bool:
    """Whether this runs on GitHub Actions with ``id-token: write``."""
    return bool(env.get(URL_VARIABLE) and env.get(TOKEN_VARIABLE))


def index_base(upload_url: str) -> str:
    """``https://upload.pypi.org/legacy/`` → ``https://pypi.org``; else the URL's origin."""
    parts = urlsplit(upload_url)
    host = parts.netloc.rpartition("@")[2]
    host = "pypi.org" if host == "upload.pypi.org" else host
    return urlunsplit((parts.scheme, host, "", "", ""))


def _json(method: str, url: str, headers: Mapping[str, str], what: str,
          body: Optional[bytes] = None, verbose: bool = False) -> Any:
    if body is not None:
        headers = {**headers, "Content-Length": str(len(body))}
    try:
        response = send(method, url, headers, [body] if body else None, verbose=verbose)
    except Exception as exc:  # Retryable: one message, no retry for a token exchange
        raise UploadError(f"trusted publishing: {what} failed: {exc}") from None
    if response.status != 200:
        raise UploadError(f"trusted publishing: {what} at {shown_url(url)} answered "
                          f"{response.status} {response.reason}; check the trusted publisher "
                          "configured on the index for this repository and workflow")
    try:
        return json.loads(response.body)
    except ValueError:
        raise UploadError(f"trusted publishing: {what} at {shown_url(url)} did not answer "
                          "JSON") from None


def mint_token(upload_url: str, env: Mapping[str, str] = os.environ,
               verbose: bool = False) -> str:
    """A short-lived API token for ``upload_url``'s index."""
    base = index_base(upload_url)
    audience = _json("GET", f"{base}/_/oidc/audience", {}, "asking the audience",
                     verbose=verbose).get("audience")
    if not isinstance(audience, str):
        raise UploadError(f"trusted publishing: {base}/_/oidc/audience gave no audience")
    request_url = env[URL_VARIABLE]
    joiner = "&" if "?" in request_url else "?"
    id_token = _json("GET", f"{request_url}{joiner}audience={quote(audience)}",
                     {"Authorization": f"bearer {env[TOKEN_VARIABLE]}"},
                     "getting GitHub's ID token", verbose=verbose).get("value")
    if not isinstance(id_token, str):
        raise UploadError("trusted publishing: the Actions runtime gave no ID token; "
                          "give the job `permissions: id-token: write`")
    minted = _json("POST", f"{base}/_/oidc/mint-token", {"Content-Type": "application/json"},
                   "minting an upload token", json.dumps({"token": id_token}).encode(),
                   verbose=verbose).get("token")
    if not isinstance(minted, str):
        raise UploadError(f"trusted publishing: {base}/_/oidc/mint-token gave no token")
    return minted
