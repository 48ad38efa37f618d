"""``python -m analysis``: the command line (:mod:`analysis.commands.cli`)."""

import sys

from analysis.commands.cli import main

sys.exit(main())
