"""`python -m mkdocs_appreg`: the `appreg` command without the console script."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
