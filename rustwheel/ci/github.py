"""The GitHub Actions workflow (pure): a build job per platform whose matrix rows are
rustwheel cells, an sdist job, and a release job on tags that publishes with `rustwheel
upload`. Every build job restores and saves rustwheel's local store and cargo's registry with
actions/cache, and hands the remote store's URL (a secret) to rustwheel, read-only on pull
requests."""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from typing import Any

from rustwheel.ci.matrix import CrateFacts, MatrixEntry
from rustwheel.ci.settings import CiSettings
from rustwheel.ci.yaml import Value

Step = dict[str, Any]

CHECKOUT = {"uses": "actions/checkout@v4"}
BUILD = "rustwheel build --release --out dist -j 2 ${{ matrix.args }}"

_WRITES_STORE = ("(github.ref == format('refs/heads/{0}', github.event.repository.default_branch)"
                 " || startsWith(github.ref, 'refs/tags/'))")
ENV = {
    # the remote store (https://user:password@host/path), shared by every runner
    "RUSTWHEEL_REMOTE_CACHE": "${{ secrets.RUSTWHEEL_REMOTE_CACHE }}",
    # pull requests (and other branches) read it and never write it
    "RUSTWHEEL_REMOTE_CACHE_READ_ONLY": f"${{{{ {_WRITES_STORE} && '0' || '1' }}}}",
}
# musl targets are linked by Debian's musl-gcc (package musl-tools) on the runner
MUSL_ENV = {"CARGO_TARGET_X86_64_UNKNOWN_LINUX_MUSL_LINKER": "musl-gcc",
            "CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER": "musl-gcc",
            "CC_x86_64_unknown_linux_musl": "musl-gcc", "CC_aarch64_unknown_linux_musl": "musl-gcc"}


def cache_steps(job: str) -> list[Step]:
    """Locate the local store, then restore (and, after the job, save) it and cargo's
    registry."""
    return [
        {"name": "Locate rustwheel's store",
         "run": 'echo "RUSTWHEEL_CACHE_DIR=$RUNNER_TEMP/rustwheel-store" >> "$GITHUB_ENV"\n'},
        {"name": "Cache cargo's registry", "uses": "actions/cache@v4",
         "with": {"path": "~/.cargo/registry/index/\n~/.cargo/registry/cache/\n~/.cargo/git/db/\n",
                  "key": "cargo-registry-${{ hashFiles('**/Cargo.lock') }}",
                  "restore-keys": "cargo-registry-\n"}},
        {"name": "Cache rustwheel's store", "uses": "actions/cache@v4",
         "with": {"path": "${{ env.RUSTWHEEL_CACHE_DIR }}",
                  "key": f"rustwheel-store-{job}-${{{{ github.sha }}}}",
                  "restore-keys": f"rustwheel-store-{job}-\n"}},
    ]


def _tools(facts: CrateFacts, zig: bool) -> str:
    """What pip installs beside rustwheel: zig, cffi (its ffi.py generator), uniffi-bindgen."""
    tools = ["rustwheel[zig]" if zig else "rustwheel"]
    if facts.bindings == "cffi":
        tools.append("cffi")
    if facts.uniffi_version:
        tools.append(f"uniffi-bindgen=={'.'.join(facts.uniffi_version.split('.')[:2])}.*")
    return " ".join(shlex.quote(t) for t in tools)


def _row(entry: MatrixEntry, pytest: bool) -> dict[str, Value]:
    row: dict[str, Value] = {
        "arch": entry.arch, "target": entry.triple, "runner": entry.runner,
        "cells": " ".join(entry.cells), "python": "\n".join(entry.interpreters) or "3.x",
        "args": shlex.join(entry.args), "toolchain": entry.toolchain,
        "components": f"--component {entry.components}" if entry.components else ""}
    if pytest:  # where the runner can install the wheels
        row["pytest"] = entry.native and entry.platform == "manylinux"
    if entry.before_script:
        row["before-script"] = entry.before_script
    return row


def _setup_steps(facts: CrateFacts, entries: Sequence[MatrixEntry]) -> list[Step]:
    steps: list[Step] = [
        CHECKOUT,
        {"uses": "actions/setup-python@v5", "with": {"python-version": "${{ matrix.python }}"}},
        {"name": "Install the Rust toolchain",
         "run": ('rustup toolchain install "${{ matrix.toolchain }}" --profile minimal '
                 '--target "${{ matrix.target }}" ${{ matrix.components }}\n'
                 'rustup default "${{ matrix.toolchain }}"\n')}]
    if any(e.platform == "musllinux" for e in entries):
        steps.append({"name": "Install musl-gcc",
                      "run": "sudo apt-get update\nsudo apt-get install -y musl-tools\n"})
    steps.append({"name": "Install rustwheel",
                  "run": f"python -m pip install {_tools(facts, any(e.zig for e in entries))}"})
    if any(e.before_script for e in entries):
        steps.append({"name": "Before script", "if": "matrix.before-script != ''",
                      "run": "${{ matrix.before-script }}"})
    return steps


def _pytest_step(facts: CrateFacts) -> Step:
    return {"name": "pytest", "if": "matrix.pytest",
            "run": ("python -m pip install pytest\n"
                    f"python -m pip install {shlex.quote(facts.name)} --find-links dist "
                    "--force-reinstall\npython -m pytest\n")}


def build_job(platform: str, entries: Sequence[MatrixEntry], facts: CrateFacts,
              pytest: bool) -> dict[str, Value]:
    steps = [*_setup_steps(facts, entries), *cache_steps(f"{platform}-${{{{ matrix.target }}}}"),
             {"name": "Build ${{ matrix.cells }}", "run": BUILD}]
    if pytest:
        steps.append(_pytest_step(facts))
    steps.append({"uses": "actions/upload-artifact@v4",
                  "with": {"name": f"wheels-{platform}-${{{{ matrix.arch }}}}", "path": "dist"}})
    job: dict[str, Value] = {
        "name": f"{platform} ${{{{ matrix.arch }}}}", "runs-on": "${{ matrix.runner }}",
        "strategy": {"fail-fast": False,
                     "matrix": {"include": [_row(e, pytest) for e in entries]}}}
    if platform == "musllinux":
        job["env"] = dict(MUSL_ENV)
    job["steps"] = steps
    return job


def sdist_job(facts: CrateFacts) -> dict[str, Value]:
    manifest = f" -m {shlex.quote(facts.manifest)}" if facts.manifest else ""
    return {"runs-on": "ubuntu-22.04", "steps": [
        CHECKOUT,
        {"uses": "actions/setup-python@v5", "with": {"python-version": "3.x"}},
        {"name": "Install rustwheel", "run": "python -m pip install rustwheel"},
        *cache_steps("sdist"),
        {"name": "Build the sdist", "run": f"rustwheel sdist --out dist{manifest}"},
        {"uses": "actions/upload-artifact@v4", "with": {"name": "wheels-sdist", "path": "dist"}},
    ]}


def _permissions(settings: CiSettings) -> dict[str, Value]:
    permissions: dict[str, Value] = {"contents": "read"}
    if settings.trusted_publishing or not settings.skip_attestation:
        permissions["id-token"] = "write"  # PyPI's trusted publishing, the attestation
    if not settings.skip_attestation:
        permissions["attestations"] = "write"
    return permissions


def release_job(settings: CiSettings, needs: Sequence[str]) -> dict[str, Value]:
    publish: Step = {"name": "Publish to PyPI", "run": "rustwheel upload --skip-existing dist/*"}
    if not settings.trusted_publishing:
        publish["env"] = {"RUSTWHEEL_PYPI_TOKEN": "${{ secrets.PYPI_API_TOKEN }}"}
    steps: list[Step] = [
        {"uses": "actions/download-artifact@v4",
         "with": {"pattern": "wheels-*", "path": "dist", "merge-multiple": True}}]
    if not settings.skip_attestation:
        steps.append({"name": "Attest build provenance",
                      "uses": "actions/attest-build-provenance@v2",
                      "with": {"subject-path": "dist/*"}})
    steps += [{"uses": "actions/setup-python@v5", "with": {"python-version": "3.x"}},
              {"name": "Install rustwheel", "run": "python -m pip install rustwheel"}, publish]
    job: dict[str, Value] = {"name": "Release", "runs-on": "ubuntu-22.04",
                             "if": "startsWith(github.ref, 'refs/tags/')", "needs": list(needs)}
    if settings.publishing_environment:
        job["environment"] = settings.publishing_environment
    job.update({"permissions": _permissions(settings), "steps": steps})
    return job


TRIGGERS: dict[str, Value] = {
    "push": {"branches": ["main", "master"], "tags": ["*"]},
    "pull_request": None, "workflow_dispatch": None}


def workflow(facts: CrateFacts, settings: CiSettings,
             jobs: Mapping[str, Sequence[MatrixEntry]]) -> dict[str, Value]:
    built: dict[str, Value] = {name: build_job(name, entries, facts, settings.pytest)
                               for name, entries in jobs.items()}
    built["sdist"] = sdist_job(facts)
    built["release"] = release_job(settings, list(built))
    return {"name": "Release", "on": TRIGGERS, "permissions": {"contents": "read"},
            "env": dict(ENV), "jobs": built}


def header(command: str, version: str) -> list[str]:
    return [f"Generated by rustwheel {version}; to update, run", "", f"    {command}", "",
            "Linux only: manylinux and musllinux wheels (rustwheel builds on Linux) and the "
            "sdist.",
            "RUSTWHEEL_REMOTE_CACHE (a secret: the remote store's URL) is read-only on pull "
            "requests."]
