"""--compatibility / --auditwheel / --zig parsing, and the hashed names of bundled libraries."""

from __future__ import annotations

import pytest

from rustwheel.config.compat import (
    Compatibility,
    parse_audit_mode,
    parse_compatibility,
    zig_glibc,
)
from rustwheel.errors import ConfigError
from rustwheel.stages.repair.graft import hashed_name


@pytest.mark.parametrize("value, policy", [
    ("manylinux_2_17", "manylinux_2_17"), ("manylinux2014", "manylinux_2_17"),
    ("2014", "manylinux_2_17"), ("2_28", "manylinux_2_28"), ("manylinux1", "manylinux_2_5"),
    ("1", "manylinux_2_5"), ("2010", "manylinux_2_12"), ("musllinux_1_2", "musllinux_1_2"),
    ("MANYLINUX2014", "manylinux_2_17"),
])
def test_policy_spellings(value: str, policy: str) -> None:
    assert parse_compatibility(value, "--compatibility") == Compatibility(policy=policy)


def test_special_values() -> None:
    assert parse_compatibility(None, "x") == Compatibility()
    assert parse_compatibility("linux", "x").linux and parse_compatibility("off", "x").linux
    assert parse_compatibility("pypi", "x") == Compatibility(pypi=True)


def test_unknown_policy_names_the_source() -> None:
    with pytest.raises(ConfigError, match=r"^pyproject.toml: \[tool.maturin\] compatibility "
                                          r"'manylinux_3_0' is not a known platform policy"):
        parse_compatibility("manylinux_3_0", "pyproject.toml: [tool.maturin] compatibility")


def test_audit_modes() -> None:
    assert parse_audit_mode(None, None, "x") == "repair"
    assert parse_audit_mode("warn", None, "x") == "warn"
    assert parse_audit_mode("repair", True, "x") == "skip"  # skip-auditwheel = true
    with pytest.raises(ConfigError, match="--auditwheel 'fix' is unknown; use one of repair"):
        parse_audit_mode("fix", None, "--auditwheel")


def test_zig_defaults_to_manylinux2014() -> None:
    assert zig_glibc(Compatibility(), "x86_64") == (Compatibility(policy="manylinux_2_17"), "2.17")
    assert zig_glibc(Compatibility(policy="manylinux_2_28"), "x86_64")[1] == "2.28"
    with pytest.raises(ConfigError, match="glibc 2.12"):
        zig_glibc(Compatibility(policy="manylinux_2_12"), "x86_64")
    with pytest.raises(ConfigError, match="needs a musl target"):
        zig_glibc(Compatibility(policy="musllinux_1_2"), "x86_64")


def test_hashed_name() -> None:
    name = hashed_name("libsqlite3.so.0", b"content")
    assert name.startswith("libsqlite3-") and name.endswith(".so.0") and len(name) == 24
    assert hashed_name("libfoo.so", b"x") != hashed_name("libfoo.so", b"y")
