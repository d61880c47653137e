# excluded from the wheel by exclude = ["**/*_dev.py"]
from contents_pkg.helpers import shout

assert shout("a") == "A!"
