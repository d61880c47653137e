"""Flags of ``maturin build`` that ``rustwheel build`` takes too: cargo's own (shown by what
cargo does with them), ``--sbom-include`` and ``--compression-enable-large-file-support``."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from conftest import copy_crate, run_rustwheel

from rustwheel.config.options import resolve_config
from rustwheel.errors import ConfigError
from rustwheel.options import BuildOptions


def _needs_newer_rustc(tmp_path: Path) -> Path:
    """A copy of the bin-only crate whose ``rust-version`` no rustc has yet."""
    crate = copy_crate("bin-only", tmp_path)
    manifest = crate / "Cargo.toml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace('edition = "2021"\n',
                                     'edition = "2021"\nrust-version = "1.999"\n'),
                        encoding="utf-8")
    return manifest


def test_ignore_rust_version_and_color_reach_cargo(tmp_path: Path) -> None:
    manifest = _needs_newer_rustc(tmp_path)
    # A target dir of the test's own (the crate has no dependencies): cargo must run, and the
    # suite's shared one may hold this very path from an earlier session.
    args = ["build", "-m", str(manifest), "-o", str(tmp_path / "out"), "--target-dir",
            str(tmp_path / "target"), "--compatibility", "linux"]
    refused = run_rustwheel(args, check=False)
    assert refused.returncode != 0
    assert "error:" in refused.stderr and "1.999" in refused.stderr, refused.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())

    # --no-cache: cargo runs, whatever this session's store already holds
    built = run_rustwheel([*args, "--ignore-rust-version", "--color", "always",
                           "--future-incompat-report", "--no-cache"])
    wheels = [line for line in built.stdout.splitlines() if line.endswith(".whl")]
    assert len(wheels) == 1 and Path(wheels[0]).is_file()
    # cargo's own lines in colour, though its stderr is a pipe: --color always reached it
    assert "\x1b[" in built.stderr and "Compiling" in built.stderr, built.stderr


def test_color_never_keeps_cargo_plain(tmp_path: Path) -> None:
    manifest = _needs_newer_rustc(tmp_path)
    built = run_rustwheel(["build", "-m", str(manifest), "-o", str(tmp_path / "out"),
                           "--target-dir", str(tmp_path / "target"), "--compatibility", "linux",
                           "--ignore-rust-version", "--color", "never", "--no-cache"],
                          env={"CARGO_TERM_COLOR": "always"})
    cargo_lines = [line for line in built.stderr.splitlines()
                   if "Compiling" in line or "Finished" in line]
    assert cargo_lines, built.stderr
    assert not any("\x1b[" in line for line in cargo_lines), built.stderr


def test_an_unknown_color_is_one_error(tmp_path: Path) -> None:
    manifest = _needs_newer_rustc(tmp_path)
    with pytest.raises(ConfigError, match="use auto, always, never"):
        resolve_config(BuildOptions(manifest_path=str(manifest), color="purple"))
    proc = run_rustwheel(["build", "-m", str(manifest), "--color", "purple"], check=False)
    assert proc.returncode == 2 and "--color" in proc.stderr and "Traceback" not in proc.stderr


def test_large_file_support_is_accepted(tmp_path: Path, target_dir: Path) -> None:
    manifest = _needs_newer_rustc(tmp_path)
    built = run_rustwheel(["build", "-m", str(manifest), "-o", str(tmp_path / "out"),
                           "--target-dir", str(target_dir), "--compatibility", "linux",
                           "--ignore-rust-version", "--compression-enable-large-file-support"])
    assert any(line.endswith(".whl") for line in built.stdout.splitlines())


def test_sbom_include_adds_files_after_the_tool_tables(tmp_path: Path, target_dir: Path) -> None:
    manifest = _needs_newer_rustc(tmp_path)
    (manifest.parent / "vendor.cdx.json").write_text('{"bomFormat": "CycloneDX"}\n')
    args = ["build", "-m", str(manifest), "-o", str(tmp_path / "out"), "--target-dir",
            str(target_dir), "--compatibility", "linux", "--ignore-rust-version"]
    built = run_rustwheel([*args, "--sbom-include", "vendor.cdx.json"])
    wheel = next(Path(line) for line in built.stdout.splitlines() if line.endswith(".whl"))
    with zipfile.ZipFile(wheel) as zf:
        sboms = {n.split("/", 2)[-1]: zf.read(n) for n in zf.namelist() if "/sboms/" in n}
    assert sboms["vendor.cdx.json"] == b'{"bomFormat": "CycloneDX"}\n'
    assert "bin-only.cyclonedx.json" in sboms  # the generated one stays

    missing = run_rustwheel([*args, "--sbom-include", "gone.json"], check=False)
    assert missing.returncode == 1, missing.stderr
    assert "error: --sbom-include entry 'gone.json' is not a file" in missing.stderr
    assert "Traceback" not in missing.stderr
