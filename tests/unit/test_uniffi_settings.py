"""uniffi.toml settings: cdylib_name names the library, external_packages modules stay out."""

from __future__ import annotations

from pathlib import Path

from rustwheel.stages.bindgen import plan as uniffi
from rustwheel.stages.bindgen import run as bindgen_run


def test_cdylib_name_and_external_packages(tmp_path: Path) -> None:
    assert uniffi.library_filename("my_crate", tmp_path) == "libmy_crate.so"
    (tmp_path / "uniffi.toml").write_text(
        '[bindings.python]\ncdylib_name = "native"\n'
        '[bindings.python.external_packages]\nother_crate = "other_pkg.other"\n')
    assert uniffi.library_filename("my_crate", tmp_path) == "libnative.so"
    settings = uniffi.python_settings(tmp_path)
    assert settings["external_packages"] == {"other_crate": "other_pkg.other"}
    out = tmp_path / "out"
    out.mkdir()
    for name in ("my_crate.py", "other_crate.py", "notes.txt"):
        (out / name).write_text("")
    shipped = bindgen_run.shipped_modules(out, tuple(settings["external_packages"]))
    assert [p.name for p in shipped] == ["my_crate.py"]


def test_init_reexports_every_module() -> None:
    assert uniffi.init_py(["a", "b"]) == "from .a import *  # NOQA\nfrom .b import *  # NOQA\n"
