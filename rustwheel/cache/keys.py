"""Cache keys: pure hashing over canonical JSON (no I/O).

A key answers "have these exact inputs been built anywhere before?": it covers the stage and its
version, the stage's plan, the digest of every input file, the tool versions and rustwheel's own
version. Everything is hashed through `canonical_json`, so dict ordering never changes a key.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple


def canonical_json(obj: Any) -> bytes:
    """`obj` as JSON with sorted keys, compact separators, UTF-8 and no NaN/Infinity.

    Only plain JSON types are accepted (dict with str keys, list, tuple, str, int, float, bool,
    None); anything else raises TypeError rather than being hashed through a lossy `repr`.
    """
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)
    return text.encode("utf-8")


def digest_bytes(data: bytes) -> str:
    """The sha256 hex digest of `data` (the content address of blobs)."""
    return hashlib.sha256(data).hexdigest()


def action_key(stage: str, stage_version: int, plan: Mapping[str, Any],
               inputs: Mapping[str, str], tools: Mapping[str, str],
               rustwheel_version: str) -> str:
    """The cache key of one stage run.

    `plan` is the stage's JSON-able plan (argv, env that matters, profile, features, target,
    interpreter config); `inputs` maps an input path label to its content digest; `tools` maps a
    tool name to its version output (`rustc -vV`, `cargo -V`, ...).
    """
    body = {
        "stage": stage,
        "stage_version": stage_version,
        "plan": dict(plan),
        "inputs": dict(inputs),
        "tools": dict(tools),
        "rustwheel_version": rustwheel_version,
    }
    return digest_bytes(canonical_json(body))


class CacheSpec(NamedTuple):
    """Where the store is and how this stage's keys are formed (part of a stage plan)."""

    cache_dir: str
    fingerprint: str
    """sha256 of the stage plan with checkout paths replaced by placeholders."""
    roots: tuple[tuple[str, str], ...]
    """(absolute root, placeholder) pairs, longest root first."""
    tools: dict[str, str]


def normalise(text: str, roots: Sequence[tuple[str, str]]) -> str:
    for root, placeholder in roots:
        text = text.replace(root, placeholder)
    return text


def fingerprint(plan_text: str, roots: Sequence[tuple[str, str]]) -> str:
    return hashlib.sha256(normalise(plan_text, roots).encode("utf-8")).hexdigest()


def make_roots(pairs: Iterable[tuple[Path, str]]) -> tuple[tuple[str, str], ...]:
    out = {str(p): name for p, name in pairs}
    return tuple(sorted(out.items(), key=lambda kv: -len(kv[0])))


def label(path: str, roots: Sequence[tuple[str, str]]) -> str:
    for root, placeholder in roots:  # (runs for every input of a stage: no string is built)
        if path.startswith(root) and (len(path) == len(root) or path[len(root)] == os.sep):
            return placeholder + path[len(root):]
    return path


def unlabel(text: str, roots: Sequence[tuple[str, str]]) -> str:
    for root, placeholder in roots:
        if text == placeholder or text.startswith(placeholder + "/"):
            return root + text[len(placeholder):]
    return text
