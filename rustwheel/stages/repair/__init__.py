"""The repair stage: audit the compiled binaries, choose the platform tag, bundle libraries.

Runs between compile and wheel for Linux wheels unless the compatibility is ``linux`` or the
audit is skipped. It reads the staged artifacts (never modifies them) and writes a manifest
the wheel stage reads: the platform tag (both spellings where a legacy alias exists, e.g.
``manylinux_2_17_x86_64.manylinux2014_x86_64``), and, after a repair, the patched copies of the
binaries and the bundled libraries (see `rustwheel.stages.repair.graft`).

The system libraries it bundled are inputs of the stage's record, so that an updated system
library reruns the stage; an unchanged binary is not audited again.
"""
