"""`python -m rnnlint` is the same as the `rnnlint` command."""

import sys

from rnnlint.cli import main

sys.exit(main())
