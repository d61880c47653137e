"""The bad-input corpus: one `Case` per way to break a build, shared by the test
(tests/integration/test_badinput_corpus.py) and the comparison with maturin
(benchmarks/badinput_vs_maturin.py).

Each case copies a test crate, breaks it (pyproject.toml, Cargo.toml, the command line, the
environment or the file system), and names the strings rustwheel's one ``error:`` line must
contain. `prepared` sets a case up for either tool and undoes what needs undoing (mounts,
permissions) afterwards.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

REPO = Path(__file__).resolve().parents[2]
CRATES = REPO / "tests" / "crates"
SETPRIV = ["setpriv", "--inh-caps=-dac_override,-dac_read_search",
           "--bounding-set=-dac_override,-dac_read_search"]

Edit = Callable[[Path], None]
"""Breaks the copied crate (its directory)."""


@dataclass(frozen=True)
class Case:
    id: str
    area: str
    """pyproject, tool, cargo, cli, env or fs."""
    needles: tuple[str, ...]
    """Strings rustwheel's error line must contain (``{crate}`` and ``{out}`` are expanded)."""
    edits: tuple[Edit, ...] = ()
    args: tuple[str, ...] = ()
    """Extra command-line arguments, after the usual ones."""
    env: dict[str, str] = field(default_factory=dict)
    crate: str = "pyo3-pure-abi3"
    fs: Optional[str] = None
    """The output directory: ``full`` (a 64k tmpfs), ``ro`` (a read-only tmpfs), ``file`` (a
    file), ``under-file`` (below a file), ``ro-missing`` (a directory to create on a read-only
    tmpfs), ``noaccess`` (mode 555, the tool without
    CAP_DAC_OVERRIDE), ``target-ro`` (the target dir on a read-only tmpfs)."""
    unprivileged: bool = False
    """Run the tool without CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH (so ``chmod 000`` holds)."""
    prebuild: bool = False
    """Build once successfully first (the failure is then in the wheel stage, or a restore)."""
    manifest: bool = True
    """Pass ``-m <crate>/Cargo.toml``; else run in the crate directory."""
    no_interpreter: bool = False
    """Do not pass ``-i``."""
    maturin: Optional[str] = ""
    """None: maturin has no equivalent; "": run it the same way."""
    maturin_args: Optional[tuple[str, ...]] = None
    """maturin's extra arguments when they differ from `args`."""


def replace(name: str, old: str, new: str) -> Edit:
    def edit(crate: Path) -> None:
        path = crate / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return edit


def project(old: str, new: str) -> Edit:
    return replace("pyproject.toml", old, new)


def add_project(line: str) -> Edit:
    """A line at the top of [project]."""
    return replace("pyproject.toml", '[project]\n', f'[project]\n{line}\n')


def add_tool(line: str) -> Edit:
    return replace("pyproject.toml", "[tool.maturin]\n", f"[tool.maturin]\n{line}\n")


def cargo(old: str, new: str) -> Edit:
    return replace("Cargo.toml", old, new)


def make_dir(name: str) -> Edit:
    def edit(crate: Path) -> None:
        (crate / name).unlink()
        (crate / name).mkdir()
    return edit


def make_fifo(name: str) -> Edit:
    def edit(crate: Path) -> None:
        (crate / name).unlink()
        os.mkfifo(crate / name)
    return edit


def dangling(name: str) -> Edit:
    def edit(crate: Path) -> None:
        (crate / name).unlink()
        (crate / name).symlink_to("does-not-exist")
    return edit


def unreadable(name: str) -> Edit:
    def edit(crate: Path) -> None:
        (crate / name).chmod(0)
    return edit


def write(name: str, data: bytes) -> Edit:
    def edit(crate: Path) -> None:
        (crate / name).write_bytes(data)
    return edit


def remove(name: str) -> Edit:
    def edit(crate: Path) -> None:
        (crate / name).unlink()
    return edit


P, T = "pyproject.toml", "[tool.maturin]"
VERSION = 'dynamic = ["version"]'
CASES: tuple[Case, ...] = (
    # --- pyproject.toml as a file ------------------------------------------------------------
    Case("pyproject-invalid-toml", "pyproject", (P, "line"), (write(P, b"[project\nname='x'"),)),
    Case("pyproject-not-utf8", "pyproject", (P, "UTF-8"), (write(P, b"[project]\nname='\xff'"),)),
    Case("pyproject-is-directory", "pyproject", (P, "directory"), (make_dir(P),)),
    Case("pyproject-is-fifo", "pyproject", (P, "regular file"), (make_fifo(P),)),
    Case("pyproject-dangling-symlink", "pyproject", (P, "dangling"), (dangling(P),)),
    Case("pyproject-unreadable", "pyproject", (P, "Permission denied"), (unreadable(P),),
         unprivileged=True),
    Case("project-not-a-table", "pyproject", (P, "[project]", "table"),
         (write(P, b'project = "x"\n\n[tool.maturin]\nbindings = "pyo3"\n'),)),
    # --- [project] ---------------------------------------------------------------------------
    Case("project-name-missing", "pyproject", (P, "[project]", "name"),
         (project('name = "pyo3-pure-abi3"\n', ""),)),
    Case("project-name-invalid", "pyproject", (P, "'name'", "-bad-"),
         (project('name = "pyo3-pure-abi3"', 'name = "-bad-"'),)),
    Case("project-name-dynamic", "pyproject", (P, "dynamic", "name"),
         (project(VERSION, 'dynamic = ["version", "name"]'),)),
    Case("project-version-invalid", "pyproject", (P, "'version'", "PEP 440"),
         (project(VERSION, 'version = "1.0-foo-bar"'),)),
    Case("project-version-static-and-dynamic", "pyproject", (P, "'version'", "dynamic", "remove"),
         (project(VERSION, 'version = "1.0"\n' + VERSION),)),
    Case("project-requires-python-invalid", "pyproject", (P, "'requires-python'", ">=3.9,,"),
         (project('requires-python = ">=3.9"', 'requires-python = ">=3.9,,"'),)),
    Case("project-requires-python-not-string", "pyproject", (P, "'requires-python'"),
         (project('requires-python = ">=3.9"', 'requires-python = 3.9'),)),
    Case("project-dependency-invalid", "pyproject", (P, "'dependencies'", "PEP 508"),
         (project("dependencies = []", 'dependencies = ["foo >= "]'),)),
    Case("project-dependencies-not-list", "pyproject", (P, "'dependencies'"),
         (project("dependencies = []", 'dependencies = "numpy"'),)),
    Case("project-extra-name-invalid", "pyproject", (P, "optional-dependencies", "te st"),
         (project('test = ["pytest"]', '"te st" = ["pytest"]'),)),
    Case("project-extra-not-list", "pyproject", (P, "optional-dependencies", "test"),
         (project('test = ["pytest"]', 'test = "pytest"'),)),
    Case("project-extra-requirement-invalid", "pyproject", (P, "optional-dependencies", "PEP 508"),
         (project('test = ["pytest"]', 'test = ["pytest >>= 1"]'),)),
    Case("project-script-empty-reference", "pyproject", (P, "'scripts.hello'", "object reference"),
         (add_project("scripts = { hello = \"\" }"),)),
    Case("project-script-bad-reference", "pyproject", (P, "'scripts.hello'", "module:object"),
         (add_project("scripts = { hello = \"pyo3_pure_abi3:\" }"),)),
    Case("project-gui-script-bad-reference", "pyproject", (P, "'gui-scripts.win'"),
         (add_project("gui-scripts = { win = \"a b:c\" }"),)),
    Case("project-entry-point-bad-reference", "pyproject", (P, "'entry-points.grp.x'"),
         (add_project("entry-points = { grp = { x = \"mod:\" } }"),)),
    Case("project-entry-points-console-scripts", "pyproject", (P, "console_scripts", "scripts"),
         (add_project("entry-points = { console_scripts = { x = \"mod:f\" } }"),)),
    Case("project-readme-missing-file", "pyproject", (P, "readme", "NOPE.md"),
         (project('readme = "README.md"', 'readme = "NOPE.md"'),)),
    Case("project-readme-file-and-text", "pyproject", (P, "readme"),
         (project('readme = "README.md"', 'readme = { file = "README.md", text = "x", '
                                          'content-type = "text/markdown" }'),)),
    Case("project-readme-not-string", "pyproject", (P, "readme"),
         (project('readme = "README.md"', "readme = 3"),)),
    Case("project-readme-unreadable", "pyproject", ("README.md", "Permission denied"),
         (unreadable("README.md"),), unprivileged=True),
    Case("project-license-invalid-spdx", "pyproject", (P, "'license'", "SPDX"),
         (project('license = "MIT"', 'license = "MIT OR"'),)),
    Case("project-license-file-missing", "pyproject", (P, "license", "NOPE"),
         (project('license = "MIT"\nlicense-files = ["LICENSE"]', 'license = { file = "NOPE" }'),)),
    Case("project-license-table-bad-key", "pyproject", (P, "'license'"),
         (project('license = "MIT"', 'license = { path = "LICENSE" }'),)),
    Case("project-license-files-absolute", "pyproject", (P, "license-files", "/etc/*"),
         (project('license-files = ["LICENSE"]', 'license-files = ["/etc/*"]'),)),
    Case("project-license-dynamic-ambiguous", "pyproject", (P, "'license'", "ambiguous"),
         (project('license = "MIT"', 'license = "Apache-2.0"'),
          project(VERSION, 'dynamic = ["version", "license"]'))),
    Case("project-authors-not-list", "pyproject", (P, "'authors'"),
         (project('authors = [{ name = "Rustwheel Tests", email = "tests@example.invalid" }]',
                  'authors = "me"'),)),
    Case("project-author-email-invalid", "pyproject", (P, "'authors[0].email'", "email"),
         (project('email = "tests@example.invalid"', 'email = "not-an-email"'),)),
    Case("project-keywords-string", "pyproject", (P, "'keywords'"),
         (project('keywords = ["rust", "pyo3", "abi3"]', 'keywords = "rust,pyo3"'),)),
    Case("project-classifiers-not-list", "pyproject", (P, "'classifiers'"),
         (project('classifiers = [\n    "Programming Language :: Rust",\n    "Programming '
                  'Language :: Python :: Implementation :: CPython",\n    "Operating System :: '
                  'POSIX :: Linux",\n]', 'classifiers = "Typing :: Typed"'),)),
    Case("project-url-not-string", "pyproject", (P, "'urls'"),
         (project('Homepage = "https://example.invalid/pyo3-pure-abi3"', "Homepage = 3"),)),
    Case("project-dynamic-unknown-key", "pyproject", (P, "'dynamic[1]'", "colour"),
         (project(VERSION, 'dynamic = ["version", "colour"]'),)),
    Case("project-unknown-key", "pyproject", (P, "unknown key 'licence'"),
         (add_project('licence = "MIT"'),)),
    Case("project-description-two-lines", "pyproject", (P, "'description'", "single line"),
         (project('description = "A tiny pyo3 abi3 extension (rustwheel test crate)"',
                  'description = """two\nlines"""'),)),
    # --- [tool.maturin] ------------------------------------------------------------------------
    Case("tool-bindings-unknown", "tool", (P, T, "bindings", "nope"),
         (project('bindings = "pyo3"', 'bindings = "nope"'),)),
    Case("tool-module-name-dash", "tool", (P, "module-name", "bad-name"),
         (add_tool('module-name = "bad-name"'),)),
    Case("tool-python-source-missing", "tool", (P, "python-source", "nowhere"),
         (add_tool('python-source = "nowhere"'),)),
    Case("tool-unknown-key", "tool", (P, T, "colour"), (add_tool('colour = "blue"'),)),
    Case("tool-features-not-list", "tool", (P, T, "features"), (add_tool('features = "x"'),)),
    Case("tool-strip-not-bool", "tool", (P, T, "strip"), (add_tool('strip = "yes"'),)),
    Case("tool-compatibility-unknown", "tool", (P, "compatibility", "manylinux_1_0"),
         (add_tool('compatibility = "manylinux_1_0"'),)),
    Case("tool-auditwheel-unknown", "tool", (P, "auditwheel", "fix"),
         (add_tool('auditwheel = "fix"'),)),
    Case("tool-sdist-generator-unknown", "tool", (P, "sdist-generator", "hg"),
         (add_tool('sdist-generator = "hg"'),)),
    Case("tool-targets-match-nothing", "tool", (P, "targets", "nope"),
         (add_tool('targets = [{ name = "nope" }]'),)),
    Case("tool-targets-bad-kind", "tool", (P, "targets", "exe"),
         (add_tool('targets = [{ name = "pyo3_pure_abi3", kind = "exe" }]'),)),
    Case("tool-use-base-python-not-bool", "tool", (P, "use-base-python"),
         (add_tool('use-base-python = "yes"'),)),
    Case("tool-profile-empty", "tool", (P, "profile"), (add_tool('profile = ""'),)),
    Case("tool-include-outside", "tool", (P, "include", ".."),
         (add_tool('include = ["../elsewhere/*"]'),)),
    Case("tool-target-table-bad-key", "tool", (P, "target", "linker"),
         (add_tool('target."x86_64-unknown-linux-gnu" = { linker = "cc" }'),)),
    Case("tool-data-missing", "tool", (P, "data", "nowhere"), (add_tool('data = "nowhere"'),)),
    Case("tool-manifest-path-missing", "tool", (P, "manifest-path", "nowhere"),
         (add_tool('manifest-path = "nowhere/Cargo.toml"'),), manifest=False),
    # --- Cargo.toml ----------------------------------------------------------------------------
    Case("cargo-toml-missing", "cargo", ("Cargo.toml", "not found", "--manifest-path"),
         (remove("Cargo.toml"),)),
    Case("cargo-toml-is-directory", "cargo", ("Cargo.toml", "directory"),
         (make_dir("Cargo.toml"),)),
    Case("cargo-toml-unreadable", "cargo", ("Cargo.toml", "Permission denied"),
         (unreadable("Cargo.toml"),), unprivileged=True),
    Case("cargo-toml-dangling-symlink", "cargo", ("Cargo.toml", "dangling"),
         (dangling("Cargo.toml"),)),
    Case("cargo-toml-invalid", "cargo", ("Cargo.toml",), (write("Cargo.toml", b"[package\n"),)),
    Case("cargo-proc-macro-lib", "cargo", ("Cargo.toml", "[lib]", "cdylib"),
         (cargo('crate-type = ["cdylib"]', "proc-macro = true"),)),
    Case("cargo-bin-bindings-without-bin", "cargo", ("Cargo.toml", "[[bin]]"),
         (project('bindings = "pyo3"', 'bindings = "bin"'),)),
    Case("cargo-pyo3-bindings-without-pyo3", "cargo", ("-b/--bindings", "pyo3"), crate="bin-only",
         args=("-b", "pyo3")),
    # --- the command line ----------------------------------------------------------------------
    Case("cli-unknown-flag", "cli", ("--colour", "--help"), args=("--colour",)),
    Case("cli-abbreviated-flag", "cli", ("--targ", "abbreviated"), args=("--targ", "x")),
    Case("cli-release-and-profile", "cli", ("--release", "--profile"),
         args=("--release", "--profile", "dev")),
    Case("cli-bindings-unknown", "cli", ("--bindings", "nope"), args=("-b", "nope")),
    Case("cli-compatibility-unknown", "cli", ("--compatibility", "bogus"),
         args=("--compatibility", "bogus")),
    Case("cli-auditwheel-unknown", "cli", ("--auditwheel", "bogus"),
         args=("--auditwheel", "bogus")),
    Case("cli-interpreter-missing", "cli", ("/nonexistent/python3", "--interpreter"),
         args=("-i", "/nonexistent/python3"), no_interpreter=True),
    Case("cli-jobs-zero", "cli", ("-j/--jobs", "'0'"), args=("-j", "0"), maturin=None),
    Case("cli-strip-value", "cli", ("--strip", "maybe"), args=("--strip", "maybe"),
         maturin=None),
    Case("cli-target-unknown", "cli", ("nonsense-triple",), args=("--target", "nonsense-triple")),
    Case("cli-features-unknown", "cli", ("nope",), args=("-F", "nope")),
    # --- the environment -----------------------------------------------------------------------
    Case("env-cargo-build-target-bogus", "env", ("bogus",), env={"CARGO_BUILD_TARGET": "bogus"}),
    Case("env-strip-not-bool", "env", ("RUSTWHEEL_STRIP", "maybe"),
         env={"RUSTWHEEL_STRIP": "maybe"}, maturin=None),
    Case("env-no-cache-not-bool", "env", ("RUSTWHEEL_NO_CACHE", "maybe"),
         env={"RUSTWHEEL_NO_CACHE": "maybe"}, maturin=None),
    Case("env-source-date-epoch-bad", "env", ("SOURCE_DATE_EPOCH", "notanumber"),
         env={"SOURCE_DATE_EPOCH": "notanumber"}),
    Case("env-no-cargo-on-path", "env", ("PATH",), env={"PATH": "/usr/bin:/bin"}),
    # --- the file system -----------------------------------------------------------------------
    Case("fs-out-read-only", "fs", ("read-only", "{out}", "-o/--out"), fs="ro"),
    Case("fs-out-missing-on-read-only", "fs", ("read-only", "{out}", "-o/--out"),
         fs="ro-missing"),
    Case("fs-sdist-out-read-only", "fs", ("read-only", "{out}", "-o/--out"), fs="ro",
         args=("--sdist",)),
    Case("fs-out-is-file", "fs", ("{out}", "not a directory", "-o/--out"), fs="file"),
    Case("fs-out-under-file", "fs", ("not a directory", "-o/--out"), fs="under-file"),
    Case("fs-out-no-permission", "fs", ("permission denied", "{out}", "-o/--out"),
         fs="noaccess", unprivileged=True),
    Case("fs-out-full-restore", "fs", ("no space left", "{out}", "-o/--out"), fs="full",
         prebuild=True),
    Case("fs-out-full-fresh", "fs", ("no space left", "{out}", "-o/--out"), fs="full",
         prebuild=True, args=("--no-cache",), maturin_args=()),
    Case("fs-target-dir-read-only", "fs", ("read-only", "--target-dir"), fs="target-ro"),
    Case("fs-python-source-unreadable", "fs", ("permission denied", "extra.py"),
         (write("python/mixed_pkg/extra.py", b"X = 1\n"), unreadable("python/mixed_pkg/extra.py")),
         crate="pyo3-mixed", unprivileged=True, prebuild=True),
)


@dataclass
class Setup:
    """A case ready to run: the command, where, with which environment, and its paths."""

    argv: list[str]
    cwd: Path
    env: dict[str, str]
    out: Path
    crate: Path

    def run(self, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self.argv, cwd=self.cwd, env=self.env, text=True,
                              capture_output=True, timeout=timeout, check=False)


def tool_argv(tool: str) -> list[str]:
    if tool == "rustwheel":
        return [sys.executable, "-m", "rustwheel", "build"]
    maturin = shutil.which("maturin") or str(Path(sys.executable).parent / "maturin")
    return [maturin, "build"]


class _Undo:
    """Mounts and permission changes to undo when the case is over."""

    def __init__(self) -> None:
        self.mounts: list[Path] = []
        self.chmods: list[Path] = []

    def mount(self, where: Path, options: str) -> Path:
        where.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], check=True)
        self.mounts.append(where)
        return where

    def undo(self, crate: Path) -> None:
        for path in crate.rglob("*"):
            if not path.is_symlink():
                path.chmod(0o755 if path.is_dir() else 0o644)
        for path in self.chmods:
            path.chmod(0o755)
        for mount in self.mounts:
            subprocess.run(["umount", str(mount)], check=False)


def _break_fs(case: Case, tmp: Path, out: Path, undo: _Undo) -> tuple[Path, Optional[Path]]:
    """(the output directory, a target dir replacing the shared one) of a file-system case."""
    if case.fs == "full":
        undo.mount(out, "size=64k")
    elif case.fs == "ro":
        undo.mount(out, "ro")
    elif case.fs == "ro-missing":
        out = undo.mount(out, "ro") / "missing"
    elif case.fs == "file":
        out.write_text("a file\n")
    elif case.fs == "under-file":
        (tmp / "afile").write_text("a file\n")
        out = tmp / "afile" / "out"
    elif case.fs == "noaccess":
        out.mkdir()
        out.chmod(0o555)
        undo.chmods.append(out)
    elif case.fs == "target-ro":
        return out, undo.mount(tmp / "ro-target", "ro")
    return out, None


@contextmanager
def prepared(case: Case, tmp: Path, tool: str, target_dir: Path,
             python: str = sys.executable) -> Iterator[Setup]:
    """Copy and break the crate for *tool* (``rustwheel`` or ``maturin``) under *tmp*; undo
    mounts and permission changes on the way out."""
    crate = tmp / "crate"
    shutil.copytree(CRATES / case.crate, crate,
                    ignore=shutil.ignore_patterns("target", "__pycache__"))
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    undo = _Undo()
    try:
        if case.prebuild:
            done = subprocess.run([*_base(case, tool, target_dir, python, crate), "-o",
                                   str(tmp / "prebuilt")], cwd=crate, env=env, text=True,
                                  capture_output=True, check=False)
            assert done.returncode == 0, f"prebuild failed:\n{done.stderr}"
        out, target = _break_fs(case, tmp, tmp / "out", undo)
        for edit in case.edits:
            edit(crate)
        args = case.maturin_args if tool == "maturin" and case.maturin_args is not None \
            else case.args
        argv = [*_base(case, tool, target or target_dir, python, crate), "-o", str(out), *args]
        if case.unprivileged:
            argv = [*SETPRIV, *argv]
        env.update(case.env)
        yield Setup(argv, crate, env, out, crate)
    finally:
        undo.undo(crate)


def _base(case: Case, tool: str, target_dir: Path, python: str, crate: Path) -> list[str]:
    base = [*tool_argv(tool), "--target-dir", str(target_dir)]
    if not case.no_interpreter:
        base += ["-i", python]
    if case.manifest:
        base += ["-m", str(crate / "Cargo.toml")]
    return base


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error: ")]


def expected(case: Case, setup: Setup) -> list[str]:
    return [n.replace("{out}", str(setup.out)).replace("{crate}", str(setup.crate))
            for n in case.needles]


def files_under(path: Path) -> set[str]:
    if not path.is_dir():
        return set()
    return {str(p.relative_to(path)) for p in path.rglob("*") if not p.is_dir()}


def by_id(ids: Sequence[str] = ()) -> list[Case]:
    return [c for c in CASES if not ids or c.id in ids]
