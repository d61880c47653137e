"""Top-level module outside the package, shipped by include = [{path = "contents_extra.py"}]."""

EXTRA = "included from python-source"
