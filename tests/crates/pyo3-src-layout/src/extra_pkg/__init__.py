"""An extra top-level package shipped through python-packages."""

GREETING = "extra says hi"
