"""The vendored manylinux / musllinux policies load, in order, and keep PEP 600's promise."""

from __future__ import annotations

import dataclasses

import pytest

from rustwheel.audit.policies import check_pep600, find_policy, load_policies


def test_manylinux_policies_most_compatible_first_with_aliases() -> None:
    policies = load_policies("manylinux")
    names = [p.name for p in policies]
    assert names[:4] == ["manylinux_2_5", "manylinux_2_12", "manylinux_2_17", "manylinux_2_24"]
    assert "linux" not in names and "manylinux_2_41" in names
    priorities = [p.priority for p in policies]
    assert priorities == sorted(priorities, reverse=True)
    assert policies[0].aliases == ("manylinux1",) and policies[0].priority == 100
    assert find_policy("manylinux2014").name == "manylinux_2_17"
    assert find_policy("manylinux2010").tag("x86_64") == "manylinux_2_12_x86_64"
    assert find_policy("manylinux_2_17").alias_tags("aarch64") == ("manylinux2014_aarch64",)
    with pytest.raises(KeyError):
        find_policy("manylinux_1_0")


def test_architectures_per_policy() -> None:
    by_name = {p.name: p for p in load_policies("manylinux")}
    assert by_name["manylinux_2_5"].architectures == {"i686", "x86_64"}
    assert by_name["manylinux_2_17"].supports("ppc64") and not by_name["manylinux_2_24"].supports(
        "ppc64")
    assert not by_name["manylinux_2_28"].supports("riscv64")
    assert by_name["manylinux_2_31"].supports("riscv64")
    assert by_name["manylinux_2_36"].supports("loongarch64")


def test_symbol_versions_whitelist_and_blacklist() -> None:
    m2014 = find_policy("manylinux2014")
    allowed = m2014.allowed_versions("x86_64")
    assert "GLIBC_2.17" in allowed["GLIBC"] and "GLIBC_2.18" not in allowed["GLIBC"]
    assert "GLIBCXX_3.4.19" in allowed["GLIBCXX"]
    assert {"libc.so.6", "libz.so.1", "libgcc_s.so.1", "libstdc++.so.6"} <= m2014.lib_whitelist
    assert "libmvec.so.1" not in m2014.lib_whitelist
    assert "libmvec.so.1" in find_policy("manylinux_2_24").lib_whitelist
    assert "_tr_init" in m2014.blacklist["libz.so.1"]
    assert allowed == m2014.allowed_versions("x86_64")
    assert m2014.allowed_versions("sparc") == {}


def test_musllinux_whitelist_names_each_architectures_libc() -> None:
    policies = load_policies("musllinux")
    assert [p.name for p in policies] == ["musllinux_1_1", "musllinux_1_2"]
    m12 = policies[1]
    assert m12.whitelist("x86_64") == {"libc.musl-x86_64.so.1", "libz.so.1"}
    assert "libc.musl-x86.so.1" in m12.whitelist("i686")
    assert "libc.musl-armv7.so.1" in m12.whitelist("armv7l")
    assert find_policy("manylinux_2_17").whitelist("x86_64") == find_policy(
        "manylinux_2_17").lib_whitelist


def test_pep600_superset_rule_holds_and_is_enforced() -> None:
    policies = load_policies("manylinux")
    check_pep600(policies)  # the vendored files (the audit does not check them on each load)
    check_pep600(load_policies("musllinux"))
    newer = policies[3]
    shrunk = dataclasses.replace(newer, lib_whitelist=newer.lib_whitelist - {"libz.so.1"})
    with pytest.raises(ValueError, match="drops whitelisted libraries"):
        check_pep600([policies[0], shrunk])
    fewer = dict(newer.symbol_versions)
    fewer["x86_64"] = {**fewer["x86_64"], "GLIBC": frozenset({"2.2.5"})}
    with pytest.raises(ValueError, match="drops GLIBC versions"):
        check_pep600([policies[0], dataclasses.replace(newer, symbol_versions=fewer)])
    with pytest.raises(ValueError, match="unknown policy kind"):
        load_policies("android")
