"""``python -m training_alerts run [options] -- CMD…`` (see ``training_alerts.cli``)."""

import sys

from .cli import main

sys.exit(main())
