"""`python -m transpub.cli`: the same command line as the `transpub` script."""

from . import run

run()
