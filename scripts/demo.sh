#!/usr/bin/env bash
# The main job: build the example crate with rustwheel, install the wheel into a fresh virtual
# env, import it and call it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
wheel=$(.venv/bin/rustwheel build -m examples/hello/Cargo.toml --release -o "$out/dist" | tail -n 1)
echo "built $wheel"
.venv/bin/python -m venv "$out/venv"
"$out/venv/bin/python" -m pip install -q --disable-pip-version-check "$wheel"
"$out/venv/bin/python" -c 'import hello_rustwheel; print(hello_rustwheel.hello("world"))'
