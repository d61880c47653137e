"""Where to upload: ``--repository-url``, else ``-r/--repository`` (``pypi``, ``testpypi`` or a
``.pypirc`` section; default ``pypi``), with that section's user name and password if any."""

from __future__ import annotations

import configparser
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from rustwheel.errors import ConfigError

KNOWN = {"pypi": "https://upload.pypi.org/legacy/", "testpypi": "https://test.pypi.org/legacy/"}


@dataclass(frozen=True)
class Repository:
    name: str
    url: str
    username: Optional[str] = None
    password: Optional[str] = field(default=None, repr=False)


def pypirc_path(config_file: Optional[str], env: Mapping[str, str]) -> Path:
    """``--config-file``, else ``~/.pypirc``."""
    if config_file:
        return Path(config_file)
    return Path(env.get("HOME") or os.path.expanduser("~")) / ".pypirc"


def _read(path: Path) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser()
    try:
        parser.read_string(path.read_text(encoding="utf-8"), str(path))
    except FileNotFoundError:
        pass
    except (OSError, UnicodeDecodeError, configparser.Error) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc}); fix or remove it") from None
    return parser


def _from_section(parser: configparser.RawConfigParser, name: str, url: Optional[str],
                  ) -> Repository:
    section = parser[name]
    return Repository(name, url or section.get("repository") or KNOWN.get(name, ""),
                      section.get("username"), section.get("password"))


def resolve(repository: Optional[str], repository_url: Optional[str],
            config_file: Optional[str] = None,
            env: Mapping[str, str] = os.environ) -> Repository:
    """The repository the options name (environment: ``RUSTWHEEL_REPOSITORY``,
    ``RUSTWHEEL_REPOSITORY_URL``)."""
    repository = repository or env.get("RUSTWHEEL_REPOSITORY") or None
    repository_url = repository_url or env.get("RUSTWHEEL_REPOSITORY_URL") or None
    path = pypirc_path(config_file, env)
    if config_file and not path.is_file():
        raise ConfigError(f"--config-file {config_file}: no such file; fix the path")
    parser = _read(path)
    if repository_url:
        name = repository or next((s for s in parser.sections()
                                   if parser[s].get("repository", "").rstrip("/")
                                   == repository_url.rstrip("/")), None)
        if name and parser.has_section(name):
            return _from_section(parser, name, repository_url)
        from rustwheel.stages.upload.index import shown_url

        return Repository(repository or shown_url(repository_url), repository_url)
    name = repository or "pypi"
    if parser.has_section(name):
        found = _from_section(parser, name, None)
        if found.url:
            return found
    if name in KNOWN:
        return Repository(name, KNOWN[name])
    raise ConfigError(f"-r/--repository {name}: no such repository; use pypi, testpypi, a "
                      f"section of {path}, or --repository-url URL")
