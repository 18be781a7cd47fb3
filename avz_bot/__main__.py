"""``python -m avz_bot`` runs the command line."""

import sys

from avz_bot.cli import main

sys.exit(main())
