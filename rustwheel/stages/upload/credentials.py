"""Who uploads, in this order:

1. a token: ``RUSTWHEEL_PYPI_TOKEN``, else ``MATURIN_PYPI_TOKEN`` (user ``__token__``);
2. ``-u/--username`` and ``-p/--password``, else ``RUSTWHEEL_USERNAME`` / ``RUSTWHEEL_PASSWORD``;
3. the repository's ``.pypirc`` section;
4. keyring (the password for the repository URL and user name), when it is installed;
5. trusted publishing (OIDC) on GitHub Actions;
6. a prompt, only on an interactive terminal and without ``--non-interactive`` (implied by
   ``CI=true``).

A user name without a password is completed from the later sources. Passwords and tokens are
never printed, and `Credentials`' repr hides them."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Optional

from rustwheel.errors import ConfigError
from rustwheel.stages.upload import oidc
from rustwheel.stages.upload.repository import Repository

TOKEN_USER = "__token__"


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str = field(repr=False)
    source: str
    """Where they came from (shown with -v): ``RUSTWHEEL_PYPI_TOKEN``, ``.pypirc``, ..."""


def non_interactive(flag: bool, env: Mapping[str, str] = os.environ) -> bool:
    """``--non-interactive``, or ``CI=true``."""
    return flag or env.get("CI", "").lower() in ("true", "1")


def _keyring_password(url: str, username: Optional[str]) -> Optional[str]:
    try:
        import keyring  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    try:
        found = keyring.get_password(url, username or TOKEN_USER)
    except Exception:  # a broken keyring backend is no credential
        return None
    return found if isinstance(found, str) else None


def _prompt(repository: Repository, username: Optional[str]) -> Credentials:
    import getpass

    print(f"Uploading to {repository.name}", file=sys.stderr)
    user = username or input("username: ").strip() or TOKEN_USER
    return Credentials(user, getpass.getpass("password (or API token): "), "prompt")


def _given(username: Optional[str], password: Optional[str], repository: Repository,
           env: Mapping[str, str]) -> tuple[Optional[str], Optional[str], str]:
    """(user name, password, where from) of the options, environment and .pypirc."""
    user = username or env.get("RUSTWHEEL_USERNAME") or repository.username
    secret = password or env.get("RUSTWHEEL_PASSWORD") or repository.password
    if password or username:
        source = "-u/-p"
    elif env.get("RUSTWHEEL_USERNAME") or env.get("RUSTWHEEL_PASSWORD"):
        source = "RUSTWHEEL_USERNAME/RUSTWHEEL_PASSWORD"
    else:
        source = ".pypirc"
    return user or None, secret or None, source


def resolve(repository: Repository, username: Optional[str] = None,
            password: Optional[str] = None, interactive: bool = False,
            env: Mapping[str, str] = os.environ, verbose: bool = False) -> Credentials:
    """The credentials to upload to ``repository`` with (see the module's docstring)."""
    for variable in ("RUSTWHEEL_PYPI_TOKEN", "MATURIN_PYPI_TOKEN"):
        if env.get(variable):
            return Credentials(TOKEN_USER, env[variable], variable)
    user, secret, source = _given(username, password, repository, env)
    if secret is None and (user is not None or not oidc.available(env)):
        secret, source = _keyring_password(repository.url, user), "keyring"
    if secret is not None:
        return Credentials(user or TOKEN_USER, secret, source)
    if user is None and oidc.available(env):
        return Credentials(TOKEN_USER, oidc.mint_token(repository.url, env, verbose),
                           "trusted publishing")
    if interactive and sys.stdin.isatty():
        return _prompt(repository, user)
    raise ConfigError(f"no credentials for {repository.name}: set RUSTWHEEL_PYPI_TOKEN, pass "
                      "-u/-p (or RUSTWHEEL_USERNAME/RUSTWHEEL_PASSWORD), add them to "
                      ".pypirc, or use trusted publishing on GitHub Actions")
