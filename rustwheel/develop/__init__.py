"""`rustwheel develop`: build an editable wheel, install it into the active environment, place the
compiled files into the source tree, and (opt-in) rebuild at import time when anything changed.

Modules: `environment` (which env), `installer` (pip or uv), `placement` (files into the source
tree), `importhook` (the auto-rebuild hook's source), `command` (the command itself).
"""
