"""A random sequence of edits to a git checkout of pyo3-mixed, built incrementally after each one.

After every edit the incremental build (its own target dir and store, never cleaned) must give a
wheel byte-identical to a reference build of the same tree made from scratch by rustwheel
(`--no-cache`, the rustwheel state dir deleted; cargo's own incremental work in a second target
dir is trusted), and exactly the stages whose inputs changed must run:

- a stage is `up to date` when its inputs are the same as at the previous build,
- `restored` when these inputs were built before (the store holds the result),
- `ran` otherwise.

The inputs are modelled from the tree's content (never mtimes): compile ← the Rust sources,
manifests and features; wheel ← that, the python files, README, pyproject and SOURCE_DATE_EPOCH;
detect ← manifests, pyproject, README, the python file *names*, features, SOURCE_DATE_EPOCH.

RUSTWHEEL_EDIT_SEED / RUSTWHEEL_EDIT_STEPS change the sequence (default seed 20240611, 25 steps);
a failure message names the seed, the step and every edit so far.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import pytest
from conftest import copy_crate, run_rustwheel
from test_build_install import check_archive, stages

pytestmark = pytest.mark.slow

SEED = int(os.environ.get("RUSTWHEEL_EDIT_SEED", "20240611"))
STEPS = int(os.environ.get("RUSTWHEEL_EDIT_STEPS", "25"))

LIB_RS = """\
use pyo3::prelude::*;

/// Native half of `mixed_pkg`, importable as `mixed_pkg._native`.
#[pymodule]
mod _native {
    use pyo3::prelude::*;

    /// Return the sum of `a` and `b` as a decimal string.
    #[pyfunction]
    fn sum_as_string(a: usize, b: usize) -> String {
        (a + b).to_string()
    }

    /// Changed by the test's Rust edits.
    #[pyfunction]
    fn edit_tag() -> &'static str {
        "tag-0"
    }

    #[cfg(feature = "extra")]
    #[pyfunction]
    fn extra_feature() -> u32 {
        7
    }
}
"""

OTHER_FN = """
    #[pyfunction]
    fn other_branch() -> &'static str {
        "from-other"
    }
}
"""

HELPERS_PY = '''"""Python helpers (deleted and restored by the test)."""


def triple(x):
    return 3 * x
'''

OTHER_ONLY_PY = '''"""Only on the `other` branch."""

NAME = "other"
'''

TAG_RE = re.compile(r'"(tag-\d+)"')
DESC_RE = re.compile(r'^description = "(.*)"$', re.MULTILINE)
CLASSIFIER_LINE = 'classifiers = ["Programming Language :: Rust"]\n'
SDE_VALUES = ("1700000000", "1600000000")

KINDS = ("rust", "python", "readme", "pyproject", "feature", "sde", "delete_py", "restore_py",
         "branch", "roundtrip", "touch")


def _tag(text: str) -> str:
    m = TAG_RE.search(text)
    assert m is not None, text
    return m.group(1)


def _git(repo: Path, *args: str) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com",
               GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)
    proc = subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=repo, env=env,
                          text=True, capture_output=True, check=False)
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stdout}{proc.stderr}"
    return proc.stdout


def _h(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


@dataclass
class Tree:
    """The crate checkout plus the build settings the edits change."""

    root: Path
    features: bool = False
    sde: Optional[str] = None
    deleted: dict[str, bytes] = field(default_factory=dict)
    history: dict[str, list[bytes]] = field(default_factory=dict)
    """relative path -> contents it had (for reverts), per branch: key "<branch>:<path>"."""

    def files(self) -> dict[str, bytes]:
        out = {}
        for p in sorted(self.root.rglob("*")):
            rel = p.relative_to(self.root).as_posix()
            if rel.startswith(".git/") or rel == ".git" or not p.is_file():
                continue
            out[rel] = p.read_bytes()
        return out

    def branch(self) -> str:
        return _git(self.root, "rev-parse", "--abbrev-ref", "HEAD").strip()

    def remember(self, rel: str) -> None:
        hist = self.history.setdefault(f"{self.branch()}:{rel}", [])
        data = (self.root / rel).read_bytes()
        if data not in hist:
            hist.append(data)

    def previous(self, rel: str, current: bytes) -> list[bytes]:
        """The other contents ``rel`` had on this branch (for reverts)."""
        return [c for c in self.history.get(f"{self.branch()}:{rel}", []) if c != current]

    def write(self, rel: str, data: bytes) -> None:
        self.remember(rel)
        (self.root / rel).write_bytes(data)
        self.remember(rel)

    def keys(self) -> dict[str, str]:
        files = self.files()
        rust = {k: v for k, v in files.items()
                if k.startswith("src/") or k in ("Cargo.toml", "Cargo.lock")}
        py = {k: v for k, v in files.items() if k.startswith("python/")}
        compile_key = _h(rust, self.features)
        return {
            "detect": _h(files["Cargo.toml"], files["pyproject.toml"], files["README.md"],
                         sorted(py), self.features, self.sde),
            "compile": compile_key,
            "repair": compile_key,  # the audit reads only the compiled library
            "wheel": _h(compile_key, py, files["pyproject.toml"], files["README.md"], self.sde),
        }

    def args(self) -> list[str]:
        return ["-F", "extra"] if self.features else []

    def env(self) -> dict[str, str]:
        return {"SOURCE_DATE_EPOCH": self.sde} if self.sde is not None else {}


def _setup_repo(tmp_path: Path) -> Tree:
    crate = copy_crate("pyo3-mixed", tmp_path)
    cargo = crate / "Cargo.toml"
    cargo.write_text(cargo.read_text() + "\n[features]\nextra = []\n")
    (crate / "src" / "lib.rs").write_text(LIB_RS)
    (crate / "python" / "mixed_pkg" / "helpers.py").write_text(HELPERS_PY)
    _git(crate, "init", "-q", "-b", "main")
    _git(crate, "add", "-A")
    _git(crate, "commit", "-q", "-m", "initial")
    _git(crate, "checkout", "-q", "-b", "other")
    lib = crate / "src" / "lib.rs"
    text = lib.read_text()
    lib.write_text(text[:text.rindex("}\n")] + OTHER_FN.lstrip("\n"))
    init = crate / "python" / "mixed_pkg" / "__init__.py"
    init.write_text(init.read_text().replace(
        "from ._native import sum_as_string",
        "from ._native import other_branch, sum_as_string"))
    (crate / "python" / "mixed_pkg" / "other_only.py").write_text(OTHER_ONLY_PY)
    _git(crate, "add", "-A")
    _git(crate, "commit", "-q", "-m", "other")
    _git(crate, "checkout", "-q", "main")
    return Tree(crate)


def _commit_all(tree: Tree, n: int) -> None:
    _git(tree.root, "add", "-A")
    _git(tree.root, "commit", "-q", "--allow-empty", "-m", f"wip {n}")


def _applicable(tree: Tree) -> list[str]:
    py = [p for p in (tree.root / "python").rglob("*.py") if p.name != "__init__.py"]
    out = []
    for kind in KINDS:
        if kind == "delete_py" and not py:
            continue
        if kind == "restore_py" and not any(not (tree.root / r).exists() for r in tree.deleted):
            continue
        out.append(kind)
    return out


def apply_edit(tree: Tree, kind: str, rng: random.Random, n: int) -> str:
    """Apply one edit of ``kind``; return a description for failure messages."""
    return _EDITS[kind](tree, rng, n)


def _edit_rust(tree: Tree, rng: random.Random, n: int) -> str:
    rel = "src/lib.rs"
    current = (tree.root / rel).read_bytes()
    previous = tree.previous(rel, current)
    if previous and rng.random() < 0.4:
        data = rng.choice(previous)
        tree.write(rel, data)
        return f"rust: revert lib.rs to {_tag(data.decode())}"
    old = _tag(current.decode())
    new = old
    while new == old:
        new = f"tag-{rng.randrange(1, 6)}"
    tree.write(rel, current.replace(f'"{old}"'.encode(), f'"{new}"'.encode()))
    return f"rust: edit_tag {old} -> {new}"


def _edit_python(tree: Tree, rng: random.Random, n: int) -> str:
    p = rng.choice(sorted((tree.root / "python").rglob("*.py")))
    rel = p.relative_to(tree.root).as_posix()
    current = p.read_bytes()
    previous = tree.previous(rel, current)
    if previous and rng.random() < 0.4:
        tree.write(rel, rng.choice(previous))
        return f"python: revert {rel}"
    tree.write(rel, current + f"\nEDIT_{n} = {rng.randrange(100)}\n".encode())
    return f"python: edit {rel}"


def _edit_readme(tree: Tree, rng: random.Random, n: int) -> str:
    rel = "README.md"
    current = (tree.root / rel).read_bytes()
    previous = tree.previous(rel, current)
    if previous and rng.random() < 0.4:
        tree.write(rel, rng.choice(previous))
        return "readme: revert"
    tree.write(rel, current + f"\nEdit number {n}.\n".encode())
    return "readme: append a line"


def _edit_pyproject(tree: Tree, rng: random.Random, n: int) -> str:
    rel = "pyproject.toml"
    text = (tree.root / rel).read_text()
    if CLASSIFIER_LINE in text:
        tree.write(rel, text.replace(CLASSIFIER_LINE, "").encode())
        return "pyproject: remove the classifier"
    m = DESC_RE.search(text)
    assert m is not None
    if rng.random() < 0.5:
        desc = re.sub(r" \(edit \d+\)$", "", m.group(1))
        if rng.random() < 0.7 or desc == m.group(1):
            desc += f" (edit {n})"
        tree.write(rel, DESC_RE.sub(f'description = "{desc}"', text, count=1).encode())
        return f"pyproject: description -> {desc!r}"
    pos = text.index("\n", m.end()) + 1
    tree.write(rel, (text[:pos] + CLASSIFIER_LINE + text[pos:]).encode())
    return "pyproject: add a classifier"


def _edit_feature(tree: Tree, rng: random.Random, n: int) -> str:
    tree.features = not tree.features
    return f"feature: {'-F extra' if tree.features else 'no -F extra'}"


def _edit_sde(tree: Tree, rng: random.Random, n: int) -> str:
    tree.sde = rng.choice([v for v in (None, *SDE_VALUES) if v != tree.sde])
    return f"SOURCE_DATE_EPOCH={tree.sde}"


def _delete_py(tree: Tree, rng: random.Random, n: int) -> str:
    p = rng.choice(sorted(p for p in (tree.root / "python").rglob("*.py")
                          if p.name != "__init__.py"))
    rel = p.relative_to(tree.root).as_posix()
    tree.deleted[rel] = p.read_bytes()
    p.unlink()
    return f"delete {rel}"


def _restore_py(tree: Tree, rng: random.Random, n: int) -> str:
    rel = rng.choice(sorted(r for r in tree.deleted if not (tree.root / r).exists()))
    (tree.root / rel).write_bytes(tree.deleted.pop(rel))
    return f"restore {rel}"


def _switch_branch(tree: Tree, rng: random.Random, n: int) -> str:
    _commit_all(tree, n)
    to = "other" if tree.branch() == "main" else "main"
    _git(tree.root, "checkout", "-q", to)
    return f"git checkout {to}"


def _roundtrip(tree: Tree, rng: random.Random, n: int) -> str:
    _commit_all(tree, n)
    here = tree.branch()
    _git(tree.root, "checkout", "-q", "other" if here == "main" else "main")
    time.sleep(0.01)
    _git(tree.root, "checkout", "-q", here)
    return f"git checkout away and back to {here}"


def _touch(tree: Tree, rng: random.Random, n: int) -> str:
    rel = rng.choice(sorted(tree.files()))
    later = time.time_ns() + 10_000_000_000
    os.utime(tree.root / rel, ns=(later, later))
    return f"touch {rel}"


_EDITS: dict[str, Callable[[Tree, random.Random, int], str]] = {
    "rust": _edit_rust, "python": _edit_python, "readme": _edit_readme,
    "pyproject": _edit_pyproject, "feature": _edit_feature, "sde": _edit_sde,
    "delete_py": _delete_py, "restore_py": _restore_py, "branch": _switch_branch,
    "roundtrip": _roundtrip, "touch": _touch,
}
assert tuple(_EDITS) == KINDS


def _build(tree: Tree, out: Path, target: Path, *extra: str) -> tuple[Path, dict[str, str], str]:
    proc = run_rustwheel(["build", "-m", str(tree.root / "Cargo.toml"), "-o", str(out),
                          "--target-dir", str(target), "-i", sys.executable, *tree.args(),
                          *extra], env=tree.env())
    wheels = [Path(line) for line in proc.stdout.splitlines() if line.endswith(".whl")]
    assert len(wheels) == 1 and wheels[0].is_file(), proc.stdout + proc.stderr
    st = stages(proc.stderr)
    short = {name.split(":")[0]: status for name, status in st.items()}
    assert set(short) == {"detect", "compile", "repair", "wheel"}, proc.stderr
    return wheels[0], short, proc.stderr


def _check_contents(tree: Tree, wheel: Path) -> None:
    """The wheel reflects the tree (so that incremental and reference cannot agree on a stale
    result)."""
    zf = check_archive(wheel)
    names = zf.namelist()
    files = tree.files()
    py_disk = {k.removeprefix("python/"): v for k, v in files.items()
               if k.startswith("python/") and k.endswith(".py")}
    py_wheel = {n: zf.read(n) for n in names if n.startswith("mixed_pkg/") and n.endswith(".py")}
    assert py_wheel == py_disk, (sorted(py_wheel), sorted(py_disk))
    so = zf.read(next(n for n in names if n.startswith("mixed_pkg/_native")))
    lib = files["src/lib.rs"].decode()
    assert _tag(lib).encode() in so
    assert (b"extra_feature" in so) == tree.features
    assert (b"from-other" in so) == ("from-other" in lib)
    meta = zf.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert meta.rstrip("\n").endswith(files["README.md"].decode().rstrip("\n"))
    desc = DESC_RE.search(files["pyproject.toml"].decode()).group(1)  # type: ignore[union-attr]
    assert f"\nSummary: {desc}\n" in meta
    assert ("Classifier: Programming Language :: Rust" in meta) == \
        (CLASSIFIER_LINE in files["pyproject.toml"].decode())
    want = time.gmtime(int(tree.sde))[:6] if tree.sde else (1980, 1, 1, 0, 0, 0)
    assert {i.date_time for i in zf.infolist()} == {want}


def _expected(key: str, prev: Optional[dict[str, str]], now: dict[str, str],
              seen: dict[str, set[str]]) -> str:
    if prev is not None and now[key] == prev[key]:
        return "up to date"
    if key != "detect" and now[key] in seen[key]:
        return "restored"
    return "ran"


def _kind_checks(kind: str, st: dict[str, str], rust_changed: bool) -> None:
    """The per-edit-kind rules, stated directly (the key model above implies them too)."""
    busy = ("ran", "restored")
    if kind == "rust":
        assert st["compile"] in busy and st["wheel"] in busy
    elif kind in ("python", "readme", "pyproject", "delete_py", "restore_py", "sde"):
        assert st["compile"] == "up to date" and st["wheel"] in busy
    elif kind in ("touch", "roundtrip"):
        assert set(st.values()) == {"up to date"}
    elif kind == "feature" or (kind == "branch" and rust_changed):
        assert st["compile"] in busy and st["wheel"] in busy


def test_random_edit_sequence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.delenv("RUSTWHEEL_NO_CACHE", raising=False)
    rng = random.Random(SEED)
    tree = _setup_repo(tmp_path)
    target_inc, target_ref = tmp_path / "target_inc", tmp_path / "target_ref"
    store, dist = tmp_path / "store", tmp_path / "dist"
    log: list[str] = []
    seen: dict[str, set[str]] = {"compile": set(), "repair": set(), "wheel": set()}
    prev: Optional[dict[str, str]] = None
    prev_files: dict[str, bytes] = {}
    used: set[str] = set()

    for n in range(STEPS + 1):
        if n == 0:
            kind, what = "initial", "initial build"
        else:
            options = _applicable(tree)
            fresh = [k for k in options if k not in used]
            kind = rng.choice(fresh if fresh and rng.random() < 0.6 else options)
            used.add(kind)
            what = apply_edit(tree, kind, rng, n)
        log.append(f"step {n}: {what} [branch {tree.branch()}, features={tree.features}, "
                   f"SOURCE_DATE_EPOCH={tree.sde}]")
        ctx = f"seed {SEED}, step {n} ({what}); edits so far:\n" + "\n".join(log)
        now = tree.keys()
        files = tree.files()
        rust_changed = any(files.get(k) != prev_files.get(k)
                           for k in {*files, *prev_files} if k.startswith("src/"))

        # 1. the incremental build
        wheel, st, err = _build(tree, dist, target_inc, "--cache-dir", str(store))
        want = {key: _expected(key, prev, now, seen)
                for key in ("detect", "compile", "repair", "wheel")}
        assert st == want, f"stages {st}, expected {want}\n{ctx}\n{err}"
        _kind_checks(kind, st, rust_changed)
        incremental = wheel.read_bytes()
        _check_contents(tree, wheel)

        # 2. the reference: rustwheel from scratch (cargo's target dir kept), no store
        shutil.rmtree(target_ref / "rustwheel", ignore_errors=True)
        ref_out = tmp_path / "ref" / str(n)
        ref, ref_st, err = _build(tree, ref_out, target_ref, "--no-cache")
        assert set(ref_st.values()) == {"ran"}, f"{ref_st}\n{ctx}\n{err}"
        assert ref.name == wheel.name, ctx
        assert incremental == ref.read_bytes(), \
            f"incremental wheel differs from the reference build\n{ctx}"
        shutil.rmtree(ref_out)

        for key, keys_seen in seen.items():
            keys_seen.add(now[key])
        prev, prev_files = now, files

    print(f"seed {SEED}: {STEPS} edits, kinds used: {sorted(used)}")
    print("\n".join(log))
