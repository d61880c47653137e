"""Which remote store a build shares (``--remote-cache``, ``RUSTWHEEL_REMOTE_CACHE``, the user's
config file), with its credentials, read-only mode and signing secret.

Standard library only and no network: the engine resolves this before a build that does work;
the HTTP client (`rustwheel.cache.remote`) is imported only when a remote is set.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple, Optional
from urllib.parse import unquote, urlsplit

from rustwheel.errors import ConfigError

_HEADER = re.compile(r"([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(\S(?:.*\S)?)[ \t]*")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


class RemoteConfig(NamedTuple):
    """A remote store: its base URL without credentials, and how to talk to it."""

    scheme: str
    host: str
    port: Optional[int]
    base_path: str
    """The URL's path without a trailing slash (``""`` at the server's root)."""
    headers: tuple[tuple[str, str], ...]
    """Authorization: basic auth from the URL's userinfo, or ``RUSTWHEEL_REMOTE_CACHE_HEADER``."""
    read_only: bool
    secret: Optional[bytes]
    """``RUSTWHEEL_REMOTE_CACHE_SECRET``: action entries are signed and checked with it."""
    shown: str
    """The URL as messages show it: never a password."""


def redact_url(url: str) -> str:
    """``url`` with the password of its userinfo replaced by ``***`` (a user name alone, which
    can be a token, too)."""
    scheme, sep, rest = url.partition("://")
    authority, slash, path = rest.partition("/")
    if not sep or "@" not in authority:
        return url
    userinfo, _, hostport = authority.rpartition("@")
    user, colon, _ = userinfo.partition(":")
    shown = f"{user}:***" if colon else "***"
    return f"{scheme}://{shown}@{hostport}{slash}{path}"


def config_file(env: Mapping[str, str]) -> Path:
    """``$XDG_CONFIG_HOME/rustwheel/config.toml``, else ``~/.config/rustwheel/config.toml``."""
    xdg = env.get("XDG_CONFIG_HOME", "")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "rustwheel" / "config.toml"
    home = env.get("HOME")
    return (Path(home) if home else Path.home()) / ".config" / "rustwheel" / "config.toml"


def _user_config(env: Mapping[str, str]) -> dict[str, Any]:
    path = config_file(env)
    if not path.is_file():
        return {}
    from rustwheel.config.pyproject import load_toml

    return load_toml(path)


def _flag(value: object, what: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise ConfigError(f"{what} is {value!r}: use true or false")


def remote_config(cli_url: Optional[str], cli_read_only: bool,
                  env: Mapping[str, str]) -> Optional[RemoteConfig]:
    """The remote store of a build: ``--remote-cache``, else ``RUSTWHEEL_REMOTE_CACHE``, else
    ``remote-cache`` in the user's config file; None when none is set (an empty value is
    unset, as a CI secret that is not defined gives)."""
    file = _user_config(env)
    where = "--remote-cache"
    url = (cli_url or "").strip()
    if not url:
        where, url = "RUSTWHEEL_REMOTE_CACHE", env.get("RUSTWHEEL_REMOTE_CACHE", "").strip()
    if not url:
        where, url = f"{config_file(env)}: remote-cache", str(file.get("remote-cache", "")).strip()
    if not url:
        return None
    if cli_read_only:
        read_only = True
    elif env.get("RUSTWHEEL_REMOTE_CACHE_READ_ONLY", "").strip():
        read_only = _flag(env["RUSTWHEEL_REMOTE_CACHE_READ_ONLY"],
                          "RUSTWHEEL_REMOTE_CACHE_READ_ONLY")
    else:
        read_only = _flag(file.get("remote-cache-read-only", False),
                          f"{config_file(env)}: remote-cache-read-only")
    return parse_url(url, where, env, read_only)


def parse_url(url: str, where: str, env: Mapping[str, str], read_only: bool) -> RemoteConfig:
    """The `RemoteConfig` of ``url``; one clear `ConfigError` for a bad URL or header."""
    shown = redact_url(url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ConfigError(f"{where}: {shown!r} is not a valid URL") from None
    if parts.scheme not in ("http", "https"):
        raise ConfigError(f"{where}: {shown!r} is not an http:// or https:// URL; the remote "
                          "store speaks the Bazel HTTP cache protocol")
    if not parts.hostname:
        raise ConfigError(f"{where}: {shown!r} names no host")
    if parts.query or parts.fragment:
        raise ConfigError(f"{where}: the URL of {parts.scheme}://{parts.hostname} has a query or "
                          "fragment; give the store's base URL (credentials as user:password@)")
    headers = _auth_headers(parts.username, parts.password, env)
    secret = env.get("RUSTWHEEL_REMOTE_CACHE_SECRET", "")
    host = parts.hostname
    return RemoteConfig(parts.scheme, f"[{host}]" if ":" in host else host, port,
                        parts.path.rstrip("/"), headers, read_only,
                        secret.encode("utf-8") if secret else None, _shown(parts.scheme, url))


def _shown(scheme: str, url: str) -> str:
    """The URL without its userinfo at all (a user name can be a token)."""
    rest = url.split("://", 1)[1]
    authority, slash, path = rest.partition("/")
    return f"{scheme}://{authority.rpartition('@')[2]}{slash}{path}".rstrip("/")


def _auth_headers(user: Optional[str], password: Optional[str],
                  env: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    headers: list[tuple[str, str]] = []
    if user is not None or password is not None:
        import base64

        token = f"{unquote(user or '')}:{unquote(password or '')}".encode()
        headers.append(("Authorization", "Basic " + base64.b64encode(token).decode("ascii")))
    raw = env.get("RUSTWHEEL_REMOTE_CACHE_HEADER", "")
    if raw.strip():
        match = _HEADER.fullmatch(raw.strip())
        if match is None:
            raise ConfigError("RUSTWHEEL_REMOTE_CACHE_HEADER must be one header as "
                              "'Name: value' (its value is not shown here)")
        headers.append((match.group(1), match.group(2)))
    return tuple(headers)


def from_environment(cli_url: Optional[str], cli_read_only: bool, no_cache: bool,
                     env: Optional[Mapping[str, str]] = None) -> Optional[RemoteConfig]:
    """`remote_config`, or None when the build uses no store at all (``--no-cache``)."""
    env = os.environ if env is None else env
    if no_cache or env.get("RUSTWHEEL_NO_CACHE", "").strip().lower() in _TRUE:
        return None
    return remote_config(cli_url, cli_read_only, env)
