"""``python -m perfeval …``: the same as the ``perfeval`` command."""
import sys

from .cli import main

sys.exit(main())
