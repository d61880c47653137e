"""Cargo (SemVer) versions as Python (PEP 440) versions.

maturin does no custom mapping: it parses the Cargo version string as a PEP 440 version, whose
grammar already accepts SemVer's ``-`` separator, and prints the normalised form. So
``1.0.0-alpha.1`` becomes ``1.0.0a1``, ``-beta.2`` ``b2``, ``-rc.1`` and ``-pre.1`` ``rc1``,
``-dev.1`` ``.dev1``, ``-1`` and ``-post.1`` ``.post1``, and ``+build.5`` stays a local version.
"""

from __future__ import annotations

from packaging.version import InvalidVersion, Version

from rustwheel.errors import ConfigError


def cargo_version_to_pep440(version: str) -> str:
    """Return the normalised PEP 440 form of the Cargo package version *version*.

    Raises `ConfigError` when the version has no PEP 440 reading (e.g. ``1.0.0-foo``).
    """
    try:
        return str(Version(version))
    except InvalidVersion:
        raise ConfigError(
            f"Cargo.toml: version {version!r} is not a valid Python version (PEP 440); use a "
            "pre-release tag Python understands (alpha, beta, rc, pre, dev, post) such as "
            "'1.0.0-alpha.1', or set [project] version in pyproject.toml"
        ) from None


def pep440_version(version: str, where: str) -> str:
    """Return the normalised form of a version written for Python (e.g. ``[project] version``).

    *where* names the file and key for the error message.
    """
    try:
        return str(Version(version))
    except InvalidVersion:
        raise ConfigError(
            f"{where} {version!r} is not a valid PEP 440 version; write it like '1.2.3', "
            "'1.2.3rc1' or '1.2.3.post1'"
        ) from None
