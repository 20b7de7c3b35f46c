"""``python -m vaeaug``: the ``vaeaug`` command."""

import sys

from .cli import main

sys.exit(main())
