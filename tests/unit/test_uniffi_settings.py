"""uniffi.toml settings: cdylib_name names the library, external_packages modules stay out."""

from __future__ import annotations

from pathlib import Path

from rustwheel.stages.bindgen import plan as uniffi
from rustwheel.stages.bindgen import run as bindgen_run
from rustwheel.stages.detect.resolve import read_uniffi_settings


def test_cdylib_name_and_external_packages(tmp_path: Path) -> None:
    assert read_uniffi_settings(tmp_path).library_filename("my_crate") == "libmy_crate.so"
    assert read_uniffi_settings(tmp_path).config is None
    (tmp_path / "uniffi.toml").write_text(
        '[bindings.python]\ncdylib_name = "native"\n'
        '[bindings.python.external_packages]\nother_crate = "other_pkg.other"\n')
    settings = read_uniffi_settings(tmp_path)
    assert settings.library_filename("my_crate") == "libnative.so"
    assert settings.config == str(tmp_path / "uniffi.toml")
    assert settings.external == ("other_crate",)
    out = tmp_path / "out"
    out.mkdir()
    for name in ("my_crate.py", "other_crate.py", "notes.txt"):
        (out / name).write_text("")
    shipped = bindgen_run.shipped_modules(out, settings.external)
    assert [p.name for p in shipped] == ["my_crate.py"]


def test_init_reexports_every_module() -> None:
    assert uniffi.init_py(["a", "b"]) == "from .a import *  # NOQA\nfrom .b import *  # NOQA\n"
