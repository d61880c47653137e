"""Copy auditwheel's manylinux / musllinux policy JSON into rustwheel/audit/policies/.

    .venv/bin/python -m pip install -U auditwheel
    .venv/bin/python scripts/refresh_policies.py

The files are copied unchanged from the installed ``auditwheel`` package (MIT-licensed; see
rustwheel/audit/policies/README.md) and must still satisfy PEP 600's superset rule, which is
checked before anything is written.
"""

from __future__ import annotations

import sys
from importlib import metadata, resources
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEST = REPO / "rustwheel" / "audit" / "policies"
FILES = ("manylinux-policy.json", "musllinux-policy.json")


def main() -> int:
    try:
        version = metadata.version("auditwheel")
    except metadata.PackageNotFoundError:
        print("error: auditwheel is not installed in this interpreter; run "
              f"'{sys.executable} -m pip install auditwheel' first", file=sys.stderr)
        return 1
    sys.path.insert(0, str(REPO))
    from rustwheel.audit.policies import parse_policy_json

    source = resources.files("auditwheel").joinpath("policy")
    texts = {name: source.joinpath(name).read_text(encoding="utf-8") for name in FILES}
    for name, text in texts.items():
        kind = name.split("-", 1)[0]
        parse_policy_json(kind, text)  # raises ValueError when PEP 600's rule is broken
    for name, text in texts.items():
        target = DEST / name
        changed = not target.is_file() or target.read_text(encoding="utf-8") != text
        target.write_text(text, encoding="utf-8")
        print(f"{'updated' if changed else 'unchanged'}: {target.relative_to(REPO)}")
    print(f"copied from auditwheel {version}; update the version in {DEST.name}/README.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
