"""doit's task engine without its command line.

Importing any of doit's modules runs doit's package ``__init__``, which loads its command line:
every ``cmd_*`` module, and its plugin registry, which imports `importlib.metadata` (with
``email``, ``zipfile``, ``csv``, ...). That is 15 ms, a seventh of a python-only edit's rebuild,
and rustwheel's own runs use none of it: they drive doit's `TaskControl` and `Runner` directly
(`rustwheel.tasks.runner`).

`load` registers doit's package with its ``__init__`` not yet run, so its submodules import
alone. The first attribute that only the ``__init__`` defines (``doit.run``, ``doit.get_var``,
``doit.create_after``, ...) runs it in place, so code of a user's in the same process sees the
whole package. When doit is already imported (rustwheel's tasks in a ``dodo.py`` run by ``doit``)
nothing is done.
"""

from __future__ import annotations

import sys
from importlib.util import find_spec, module_from_spec
from typing import Any


def load() -> None:
    """Make doit's submodules importable without its command line (see the module's doc)."""
    if "doit" in sys.modules:
        return
    spec = find_spec("doit")
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        return  # not a package here: importing it will say what is wrong
    package = module_from_spec(spec)
    loader = spec.loader

    def complete(name: str) -> Any:
        """PEP 562: an attribute the package does not have yet; run its ``__init__``."""
        del package.__dict__["__getattr__"]
        loader.exec_module(package)
        return getattr(package, name)

    package.__getattr__ = complete  # type: ignore[method-assign]
    sys.modules["doit"] = package
