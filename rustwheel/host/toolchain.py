"""Facts about the Rust toolchain: `rustc -vV`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rustwheel import _run


@dataclass(frozen=True)
class Rustc:
    host: str
    release: str
    verbose_version: str
    """The whole `rustc -vV` output: part of the compile fingerprint."""


def rustc_info(env: Mapping[str, str]) -> Rustc:
    rustc = env.get("RUSTC", "rustc")
    proc = _run.run([rustc, "-vV"], env=env, hint="install Rust with rustup (https://rustup.rs)")
    fields = dict(line.split(": ", 1) for line in proc.stdout.splitlines() if ": " in line)
    return Rustc(host=fields.get("host", ""), release=fields.get("release", ""),
                 verbose_version=proc.stdout.strip())


def has_std(triple: str, env: Mapping[str, str]) -> bool:
    """Whether the toolchain has the Rust standard library for ``triple`` (in its sysroot)."""
    from pathlib import Path

    rustc = env.get("RUSTC", "rustc")
    proc = _run.run([rustc, "--print", "sysroot"], env=env, check=False)
    if proc.returncode != 0:
        return True  # cannot tell: let cargo report it
    return (Path(proc.stdout.strip()) / "lib" / "rustlib" / triple / "lib").is_dir()
