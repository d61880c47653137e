"""The python half of a bin crate: ships next to the binary in one wheel."""

import shutil
import subprocess


def run_tool() -> str:
    exe = shutil.which("bin-mixed-tool")
    if exe is None:
        raise RuntimeError("bin-mixed-tool is not on PATH")
    return subprocess.run([exe], check=True, capture_output=True, text=True).stdout.strip()
