"""``python -m descend`` runs the ``descend`` command."""

import sys

from .cli import main

sys.exit(main())
