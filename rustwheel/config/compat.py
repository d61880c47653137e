"""``--compatibility`` and ``--auditwheel``: which platform tag a Linux wheel gets, and how.

Spellings follow maturin: ``linux`` / ``off`` (plain ``linux_<arch>``, no audit), ``pypi`` (the
most compatible tag, which must not be plain ``linux``), a policy name or legacy alias
(``manylinux_2_17``, ``manylinux2014``, ``musllinux_1_2``) or its short form (``2_17``,
``2014``, ``1``, ``2010``). No value means the most compatible tag the binaries allow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from rustwheel.errors import ConfigError

AUDIT_MODES = ("repair", "check", "warn", "skip")


@dataclass(frozen=True)
class Compatibility:
    policy: Optional[str] = None
    """A policy's PEP 600 / 656 name (``manylinux_2_17``), or None for the most compatible."""
    linux: bool = False
    """Plain ``linux_<arch>``: no audit at all."""
    pypi: bool = False
    """Refuse a wheel PyPI would reject (a plain ``linux`` tag)."""


def _policy_name(value: str) -> Optional[str]:
    from rustwheel.audit.policies import find_policy

    candidates = [value]
    if value[:1].isdigit():
        candidates += [f"manylinux_{value}", f"manylinux{value}"]
    for candidate in candidates:
        try:
            return find_policy(candidate).name
        except KeyError:
            continue
    return None


def parse_compatibility(value: Optional[str], where: str) -> Compatibility:
    """``where`` names the source in errors (``--compatibility``, ``pyproject.toml: ...``)."""
    if value is None:
        return Compatibility()
    lowered = value.strip().lower()
    if lowered in ("linux", "off"):
        return Compatibility(linux=True)
    if lowered == "pypi":
        return Compatibility(pypi=True)
    name = _policy_name(lowered)
    if name is None:
        raise ConfigError(f"{where} '{value}' is not a known platform policy; use linux, pypi, "
                          "a manylinux policy (manylinux_2_17, manylinux2014, 2_28, ...) or "
                          "musllinux_1_1 / musllinux_1_2")
    return Compatibility(policy=name)


def parse_audit_mode(value: Optional[str], skip: Optional[bool], where: str) -> str:
    """The ``--auditwheel`` mode; ``skip`` (maturin's deprecated ``skip-auditwheel``) wins."""
    if skip:
        return "skip"
    if value is None:
        return "repair"
    if value not in AUDIT_MODES:
        raise ConfigError(f"{where} '{value}' is unknown; use one of {', '.join(AUDIT_MODES)}")
    return value


def zig_glibc(compat: Compatibility, arch: str) -> tuple[Compatibility, str]:
    """With ``--zig``: the compatibility (manylinux2014 when none is asked for) and the glibc
    version zig links against (``2.17``)."""
    policy = compat.policy
    if compat.linux or policy is None:
        policy = "manylinux_2_17"
        compat = Compatibility(policy=policy, pypi=compat.pypi)
    if not policy.startswith("manylinux_"):
        raise ConfigError(f"--zig with compatibility '{policy}' needs a musl target, which this "
                          f"rustc cannot build ({arch}-unknown-linux-musl is not installed); use "
                          "a manylinux policy such as manylinux2014")
    major, minor = policy[len("manylinux_"):].split("_")
    if (int(major), int(minor)) < (2, 17):
        raise ConfigError(f"--zig cannot link against glibc {major}.{minor}: Rust's standard "
                          "library needs glibc 2.17 or newer; use manylinux2014 "
                          "(manylinux_2_17) or newer")
    return compat, f"{major}.{minor}"
