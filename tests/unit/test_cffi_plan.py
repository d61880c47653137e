"""cffi planning without building: the derived cbindgen config, package paths, __init__.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from rustwheel.config.layout import ProjectLayout
from rustwheel.stages.header import cbindgen, cffi

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib


def test_derived_config_forces_plain_c_and_keeps_the_rest() -> None:
    user = {"language": "C++", "include_guard": "X_H", "pragma_once": True,
            "sys_includes": ["math.h"], "header": '/* "quoted" \\ */\n', "cpp_compat": True,
            "defines": {"feature = x": "X"}, "export": {"rename": {"a b": "c"}, "prefix": "p_"},
            "fn": {"rename_args": "CamelCase"}, "parse": {"parse_deps": False, "include": []},
            "tab_width": 4, "ratio": 0.5}
    text = cbindgen.derived_config(user)
    got = tomllib.loads(text)
    assert got.pop("language") == "C"
    assert (got.pop("no_includes"), got.pop("sys_includes"), got.pop("defines")) == (True, [], {})
    assert (got.pop("pragma_once"), got.pop("cpp_compat")) == (False, False)
    assert "include_guard" not in got
    for key in ("language", "include_guard", "pragma_once", "sys_includes", "cpp_compat",
                "defines"):
        user.pop(key)
    assert got == user


@pytest.mark.parametrize("module, mixed, expected", [
    ("ext", False, "ext"), ("pkg._native", True, "pkg/_native"), ("pkg", True, "pkg/pkg"),
    ("a.b.c", True, "a/b/c")])
def test_package_dir(module: str, mixed: bool, expected: str) -> None:
    layout = ProjectLayout(Path("/p"), Path("/p"), module, mixed)
    assert cffi.package_dir(layout) == expected
    files, generated = cffi.cffi_items(layout, "/s/lib.so", "/s/ffi.py")
    ext = module.rsplit(".", 1)[-1]
    assert [f.archive_path for f in files] == [f"{expected}/ffi.py", f"{expected}/lib{ext}.so"]
    assert [g.archive_path for g in generated] == [f"{expected}/__init__.py"]
    assert f"'lib{ext}.so'" in generated[0].content


def test_cffi_dependency_detection() -> None:
    assert cffi.has_cffi_dependency({"dependencies": ["CFFI>=1.15; python_version > '3'"]})
    assert not cffi.has_cffi_dependency({"dependencies": ["cffi-extra", "not a req !"]})
    assert not cffi.has_cffi_dependency(None)
    assert cffi.missing_dependency_warning(Path("pyproject.toml"), {}) is not None
