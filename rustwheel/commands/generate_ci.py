"""``rustwheel generate-ci github [-o FILE] [-m Cargo.toml]``: write the release workflow."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path


def _command_line(ns: argparse.Namespace) -> str:
    words = ["rustwheel", "generate-ci", ns.ci]
    if ns.manifest_path:
        words += ["-m", ns.manifest_path]
    if ns.output != "-":
        words += ["-o", ns.output]
    words += [f"--platform={p}" for p in ns.platforms or ()]
    words += [f"--{flag.replace('_', '-')}" for flag in ("pytest", "zig", "skip_attestation")
              if getattr(ns, flag)]
    return shlex.join(words)


def render(ns: argparse.Namespace) -> str:
    """The workflow's text for the parsed command line."""
    from rustwheel import __version__
    from rustwheel.ci import github, yaml
    from rustwheel.ci.facts import probe
    from rustwheel.ci.matrix import matrix
    from rustwheel.ci.settings import CliChoices, check_cli, parse_settings

    cli = check_cli(CliChoices(tuple(ns.platforms or ()), ns.pytest, ns.zig,
                               ns.skip_attestation))
    facts, table, where = probe(ns.manifest_path)
    settings = parse_settings(table, cli, where)
    document = github.workflow(facts, settings, matrix(facts, settings, where))
    return yaml.dump(document, github.header(_command_line(ns), __version__))


def cmd_generate_ci(ns: argparse.Namespace) -> int:
    text = render(ns)
    if ns.output == "-":
        sys.stdout.write(text)
    else:
        from rustwheel.atomic import write_if_changed

        write_if_changed(Path(ns.output), text)
    return 0
