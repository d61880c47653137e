"""``--zig``: link through zig (the PyPI ``ziglang`` package) against an older glibc.

cargo gets an explicit ``--target`` (so build scripts and proc macros keep the host's linker)
and a linker wrapper for that target: a small Python script, written by the compile stage,
that runs ``python -m ziglang cc -target <arch>-linux-gnu.<glibc>`` with rustc's arguments,
minus the few that zig's linker does not understand.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from rustwheel.atomic import write_bytes
from rustwheel.errors import ConfigError
from rustwheel.plan.matrix import ZigLink

# rustc link arguments zig's lld rejects or does not need; `-lgcc_s` comes from libunwind
# there instead.
_DROPPED = ("-Wl,-znostart-stop-gc", "-Wl,--no-undefined-version")
_REPLACED = {"-lgcc_s": "-lunwind"}

_TEMPLATE = '''#!{python}
# rustwheel --zig linker wrapper (written by the compile stage; safe to delete)
import os
import sys

DROPPED = {dropped!r}
REPLACED = {replaced!r}
args = [REPLACED.get(a, a) for a in sys.argv[1:] if a not in DROPPED]
os.execv({python!r}, [{python!r}, "-m", "ziglang", "cc", "-target", {target!r}, *args])
'''


def zig_link(triple: str, glibc: str, wrapper: Path) -> ZigLink:
    if importlib.util.find_spec("ziglang") is None:
        raise ConfigError(f"--zig needs zig from the ziglang package, which {sys.executable} "
                          "does not have; run `pip install ziglang`")
    arch = triple.split("-", 1)[0]
    return ZigLink(python=sys.executable, target=f"{arch}-linux-gnu.{glibc}",
                   wrapper=str(wrapper))


def cargo_env(triple: str, link: ZigLink) -> dict[str, str]:
    """The variables that make cargo (and the cc crate) link ``triple`` through the wrapper."""
    upper = triple.upper().replace("-", "_")
    return {f"CARGO_TARGET_{upper}_LINKER": link.wrapper,
            f"CC_{triple.replace('-', '_')}": link.wrapper}


def write_wrapper(link: ZigLink) -> None:
    text = _TEMPLATE.format(python=link.python, target=link.target, dropped=_DROPPED,
                            replaced=_REPLACED)
    # another cell's cargo may be running it as its linker right now
    write_bytes(Path(link.wrapper), text.encode("utf-8"), 0o755, always_there=True)
