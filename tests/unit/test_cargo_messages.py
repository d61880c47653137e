"""cargo JSON messages, dep-info files and recorded stage inputs."""

from __future__ import annotations

import json
from pathlib import Path

from rustwheel.cargo.messages import Artifact, dep_info_path, parse_line, read_dep_info


def test_artifact_message() -> None:
    line = json.dumps({"reason": "compiler-artifact", "package_id": "p 1.0",
                       "target": {"name": "demo", "kind": ["cdylib"]},
                       "filenames": ["/t/debug/libdemo.so"], "executable": None, "fresh": True})
    msg = parse_line(line)
    assert isinstance(msg, Artifact)
    assert msg.filenames == ("/t/debug/libdemo.so",) and msg.fresh
    assert parse_line("   Compiling demo") is None
    assert parse_line('{"reason": "build-finished", "success": true}') is None


def test_dep_info_parsing(tmp_path: Path) -> None:
    d = tmp_path / "libdemo.d"
    d.write_text("/t/debug/libdemo.so: /src/a\\ b.rs /src/lib.rs \\\n /src/lib.rs /src/c.rs\n\n"
                 "/src/lib.rs:\n")
    assert read_dep_info(d) == ["/src/a b.rs", "/src/lib.rs", "/src/c.rs"]
    assert dep_info_path("/t/debug/libdemo.so") == Path("/t/debug/libdemo.d")
    assert dep_info_path("/t/debug/demo-cli") == Path("/t/debug/demo-cli.d")
