"""What a failed tool said, cut down to the lines that say why: the one place that reads it.

cargo, rustc, cbindgen, uniffi-bindgen, patchelf (and zig, through rustc's linker error) each
print their own shape of failure. `extract` finds the tool's first error line and keeps what
explains it, in order: cargo's ``Caused by:`` chain and ``note:`` / ``help:`` lines, rustc's
location (``--> src/lib.rs:10:26``), the linker's (cc's, zig's) own errors, anyhow's causes, a
panic's message. It drops what does not: warnings and status lines before it, rustc's source
snippets, the linker's command line, backtraces, build scripts' ``cargo:`` directives.
`failure` turns that into one `ToolError` naming the command, its exit code and the tool's
first error line, with the rest of the lines indented below. `redact` keeps secrets (a token
in a registry or git URL, a token variable's value) out of it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from typing import Optional

from rustwheel.errors import ToolError

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
_HEAD = re.compile(r"^(?:error|fatal)(?:\[\w+\])?:\s*", re.IGNORECASE)
_CODED = re.compile(r"^error\[\w+\]:")
_PANIC_OLD = re.compile(r"panicked at '(.*)', \S+:\d+:\d+$")
_PANIC = re.compile(r"^thread '.*' panicked at ")
_UNWRAPPED = re.compile(r"value: \"(.*)\"$")
_STATUS = re.compile(r"^\s+[A-Z][a-z]+(?: [a-z]+)? ")
"""cargo's right-aligned status lines: ``    Updating crates.io index``."""
_NOISE = re.compile(
    r"^\s*\d*\s*\|"  # rustc's source snippet
    r"|^\s*\.\.\.\s*$"
    r"|^\s*cargo::?[\w-]+="  # a build script's directives
    r"|^\s*= note:\s+\"|^\s*= note: some arguments are omitted"  # the linker's command line
    r"|^\s*note: (?:run with `RUST_BACKTRACE|Some details are omitted|To improve backtraces)")
_END = re.compile(r"^(?:warning:|stack backtrace:|For more information about|Some errors have "
                  r"detailed|Traceback )", re.IGNORECASE)
_SUMMARY = re.compile(r"^error: (?:could not compile|aborting due to)")
"""cargo's and rustc's last line after rustc's own errors: not one more error."""
_CHAINED = ("Caused by:", "note:", "help:")
MAX_LINES = 30

_SECRET_NAMES = re.compile(r"(?:^|_)(?:TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?|API_?KEY)(?:_|$)",
                           re.I)
_URL_PASSWORD = re.compile(r"(\b[a-z][\w+.-]*://[^\s/:@]*):[^\s/@]+@", re.I)
_URL_TOKEN_USER = re.compile(r"(\b[a-z][\w+.-]*://)[\w.~-]{20,}@", re.I)
_QUERY_SECRET = re.compile(r"([?&;.](?:[\w-]*token|auth|key|password|secret|sig|signature)=)"
                           r"[^\s&;#'\"`]+", re.I)
_HEADER_SECRET = re.compile(r"(\bAuthorization:\s*(?:(?:Bearer|Basic|token)\s+)?|\bBearer\s+)\S+",
                            re.I)


def redact(text: str, env: Optional[Mapping[str, str]] = None) -> str:
    """``text`` without secrets: URL passwords and long token user names, secret-looking
    query parameters and Authorization values, and the values of the environment's token,
    password and secret variables."""
    env = os.environ if env is None else env
    for name, value in env.items():
        if len(value) >= 6 and _SECRET_NAMES.search(name) and value in text:
            text = text.replace(value, "***")
    text = _URL_PASSWORD.sub(r"\1:***@", text)
    text = _URL_TOKEN_USER.sub(r"\1***@", text)
    text = _QUERY_SECRET.sub(r"\1***", text)
    return _HEADER_SECRET.sub(r"\1***", text)


def _clean(text: str, env: Optional[Mapping[str, str]]) -> list[str]:
    return [line.rstrip() for line in redact(_ANSI.sub("", text), env).splitlines()]


def _panic(lines: Sequence[str], i: int) -> str:
    old = _PANIC_OLD.search(lines[i])
    message = old.group(1) if old else next((ln.strip() for ln in lines[i + 1:] if ln.strip()),
                                            lines[i])
    unwrapped = _UNWRAPPED.search(message)
    return unwrapped.group(1) if unwrapped else message


def _start(lines: Sequence[str]) -> tuple[int, str]:
    """Where the tool's first error is, and its headline (-1 and "" if it said nothing)."""
    if any(ln.startswith("Traceback ") for ln in lines):  # a Python program: its last line
        last = [(i, ln) for i, ln in enumerate(lines) if ln.strip()][-1]
        return len(lines), last[1]
    for i, line in enumerate(lines):
        if _HEAD.match(line):
            return i, line if _CODED.match(line) else _HEAD.sub("", line, count=1)
    for i, line in enumerate(lines):
        if _PANIC.match(line):
            return (i + (0 if _PANIC_OLD.search(line) else 1)), _panic(lines, i)
    return next(((i, ln) for i, ln in enumerate(lines)
                 if ln.strip() and not _STATUS.match(ln) and not _END.match(ln.lstrip())),
                (-1, ""))


def _block(lines: Sequence[str], start: int) -> tuple[list[str], int]:
    """The lines after the headline at ``start`` that belong to it, and where it ends."""
    kept: list[str] = []
    gap = False
    i = start + 1
    while i < len(lines):
        line = lines[i]
        if _HEAD.match(line) or _END.match(line):
            break
        if not line.strip():
            gap = True
        elif gap and not line[0].isspace() and not line.startswith(_CHAINED):
            break
        elif not _NOISE.match(line):
            kept.append(line)
        i += 1
    # A build script's "--- stdout" section that held only directives.
    kept = [ln for n, ln in enumerate(kept) if ln.strip() != "--- stdout"
            or n + 1 < len(kept) and kept[n + 1].strip() != "--- stderr"]
    return kept, i


def extract(output: str, env: Optional[Mapping[str, str]] = None) -> list[str]:
    """The lines of a failed tool's ``output`` (its stderr) that say why it failed: its first
    error line (without a plain ``error:`` prefix; rustc's ``error[E0308]:`` stays), then the
    lines that explain it, in the tool's order and indentation, blank lines dropped; a last
    line counts the further errors. Secrets are redacted. Empty if the tool said nothing."""
    lines = _clean(output, env)
    start, headline = _start(lines)
    if start < 0:
        return []
    kept, end = _block(lines, start)
    if len(kept) > MAX_LINES:
        kept = [*kept[:MAX_LINES], f"... ({len(kept) - MAX_LINES} more lines)"]
    more = sum(1 for ln in lines[end:] if _HEAD.match(ln) and not _SUMMARY.match(ln))
    if more:
        kept.append(f"(and {more} more error{'s' if more > 1 else ''})")
    return [headline.strip(), *kept]


def failure(command: str, code: int, lines: Sequence[str], *, what: str = "",
            hint: str = "") -> ToolError:
    """``command`` failed: one sentence naming it, its exit code, ``what`` it was doing and
    the tool's first error line, then ``hint``; the tool's other ``lines`` indented below."""
    said = f": {lines[0]}" if lines else " and printed no error message"
    text = f"`{command}` failed{what} with exit code {code}{said}" + (f"; {hint}" if hint else "")
    return ToolError("\n".join([text, *("  " + line for line in lines[1:])]))
