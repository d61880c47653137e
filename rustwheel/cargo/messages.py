"""cargo's `--message-format=json` messages and rustc's dep-info (`.d`) files, as typed records."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Optional


@dataclass(frozen=True)
class Artifact:
    package_id: str
    target_name: str
    target_kind: tuple[str, ...]
    filenames: tuple[str, ...]
    executable: Optional[str]
    fresh: bool


@dataclass(frozen=True)
class BuildScriptRun:
    package_id: str
    out_dir: str
    linked_paths: tuple[str, ...]


def parse_line(line: str) -> Optional[object]:
    """One stdout line of cargo → an `Artifact`, a `BuildScriptRun`, a rendered diagnostic (str),
    or None."""
    line = line.strip()
    if not line.startswith("{"):
        return None
    try:
        msg = json.loads(line)
    except json.JSONDecodeError:
        return None
    reason = msg.get("reason")
    if reason == "compiler-artifact":
        target = msg.get("target", {})
        return Artifact(
            package_id=msg.get("package_id", ""),
            target_name=target.get("name", ""),
            target_kind=tuple(target.get("kind", ())),
            filenames=tuple(msg.get("filenames", ())),
            executable=msg.get("executable"),
            fresh=bool(msg.get("fresh")),
        )
    if reason == "build-script-executed":
        return BuildScriptRun(package_id=msg.get("package_id", ""), out_dir=msg.get("out_dir", ""),
                              linked_paths=tuple(msg.get("linked_paths", ())))
    if reason == "compiler-message":
        rendered = (msg.get("message") or {}).get("rendered")
        return rendered if isinstance(rendered, str) else None
    return None


def _split_escaped(text: str) -> list[str]:
    """Split a make-style dependency list on unescaped spaces (``\\ `` is a literal space)."""
    out: list[str] = []
    cur: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in " \\#":
            cur.append(text[i + 1])
            i += 2
            continue
        if ch.isspace():
            if cur:
                out.append("".join(cur))
                cur = []
        else:
            cur.append(ch)
        i += 1
    if cur:
        out.append("".join(cur))
    return out


def read_dep_info(path: Path) -> list[str]:
    """The prerequisite files listed in a cargo dep-info file (absolute paths, in order)."""
    text = path.read_text(encoding="utf-8", errors="surrogateescape")
    text = text.replace("\\\n", " ")
    deps: list[str] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        # "target: dep dep ..." — the target may itself contain an escaped colon-free path.
        idx = line.find(": ")
        if idx < 0:
            if line.rstrip().endswith(":"):
                continue
            continue
        deps.extend(_split_escaped(line[idx + 2:]))
    seen: set[str] = set()
    unique = []
    for d in deps:
        if d not in seen:
            seen.add(d)
            unique.append(d)
    return unique


def dep_info_path(artifact: str) -> Path:
    """cargo writes ``libfoo.d`` next to ``libfoo.so`` and ``foo.d`` next to a binary ``foo``."""
    p = Path(artifact)
    name = p.name
    for suffix in (".so", ".dylib", ".dll", ".a", ".rlib", ".exe"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return p.with_name(name + ".d")


def package_dir(package_id: str) -> Optional[Path]:
    """The source directory of a path package id (``path+file:///dir#name@1.0``), else None."""
    if not package_id.startswith("path+file://"):
        return None
    return Path(package_id[len("path+file://"):].split("#", 1)[0])


def build_script_inputs(run: BuildScriptRun) -> tuple[list[str], list[str]]:
    """Files and environment variables a path package's build script declared with
    ``cargo:rerun-if-changed`` / ``cargo:rerun-if-env-changed`` (directories expanded)."""
    root = package_dir(run.package_id)
    output = Path(run.out_dir).parent / "output"
    if root is None or not output.is_file():
        return [], []
    files: list[str] = []
    env: list[str] = []
    for line in output.read_text(encoding="utf-8", errors="replace").splitlines():
        key, _, value = line.partition("=")
        key = key.replace("cargo::", "cargo:")
        if key == "cargo:rerun-if-changed" and value:
            p = (root / value).resolve()
            if p.is_dir():
                files += [str(f) for f in sorted(p.rglob("*")) if f.is_file()]
            else:
                files.append(str(p))
        elif key == "cargo:rerun-if-env-changed" and value:
            env.append(value)
    return files, env
