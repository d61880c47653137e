"""rustwheel's auto-rebuild import hook (the source of the module an editable wheel carries).

`rustwheel develop --auto-rebuild` installs a copy of this file as
``_rustwheel_autorebuild_<dist>.py`` with ``TOP_PACKAGE`` filled in, plus a ``.pth`` line that
imports it at interpreter start-up. That import only adds a finder to ``sys.meta_path``. The
first time the package itself is imported, the finder reads the JSON file beside the module
(written by `rustwheel develop`: the no-op stamp of the last build, the command to repeat it),
asks `rustwheel.freshness.stamp` whether any input changed — a few dozen ``stat`` calls — and
only if so runs ``rustwheel develop`` again before the import goes on.

Standard library only, and nothing from rustwheel at start-up: it runs in the user's interpreter.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing itself is not imported at start-up
    from typing import Any, Optional

# Only os and sys at start-up: the rest is imported when the package is.

TOP_PACKAGE = "__top_package__"
CONFIG = os.path.splitext(os.path.abspath(__file__))[0] + ".json"


def _load_config() -> Optional[dict[str, Any]]:
    import json

    try:
        with open(CONFIG, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _is_fresh(config: dict[str, Any]) -> bool:
    """True when the last build's stamp still matches every file it recorded."""
    added = False
    path = config["rustwheel_path"]
    if "rustwheel.freshness.stamp" not in sys.modules and path not in sys.path:
        sys.path.insert(0, path)
        added = True
    try:
        from rustwheel.freshness import stamp
    except ImportError:
        return False
    finally:
        if added:
            sys.path.remove(path)
    from pathlib import Path

    return stamp.read_fresh(Path(config["stamp"])) is not None


def _rebuild(config: dict[str, Any]) -> None:
    import importlib
    import subprocess

    print(f"rustwheel: {TOP_PACKAGE} changed since the last build; rebuilding",
          file=sys.stderr, flush=True)
    env = dict(os.environ)
    env.pop("CONDA_PREFIX", None)
    env["VIRTUAL_ENV"] = sys.prefix
    env["RUSTWHEEL_DEVELOP_HOOK"] = "1"
    argv = [config["python"], "-m", "rustwheel", "develop", *config["args"]]
    proc = subprocess.run(argv, cwd=config["cwd"], env=env, stdout=sys.stderr.fileno(),
                          check=False)
    if proc.returncode != 0:
        print(f"rustwheel: the rebuild of {TOP_PACKAGE} failed (exit code {proc.returncode}); "
              "importing the previous build", file=sys.stderr, flush=True)
    importlib.invalidate_caches()


def check() -> None:
    config = _load_config()
    if config is None or not os.path.isfile(config["stamp"]):
        return  # no stamp to check cheaply: `rustwheel develop` warned about it
    if not _is_fresh(config):
        _rebuild(config)


class RebuildFinder:
    """Runs `check` once, just before ``TOP_PACKAGE`` is first imported; finds nothing itself."""

    def __init__(self) -> None:
        self.done = False

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> None:
        if fullname == TOP_PACKAGE and not self.done:
            self.done = True
            check()


if not any(isinstance(f, RebuildFinder) for f in sys.meta_path):
    sys.meta_path.insert(0, RebuildFinder())
