"""``python -m descend`` runs the ``descend`` command."""

import sys

from .cli.main import main

sys.exit(main())
