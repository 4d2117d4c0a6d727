"""``python -m perfeval.cli …``: the same as the ``perfeval`` command."""
import sys

from . import main

sys.exit(main())
