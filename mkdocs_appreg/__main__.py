"""`python -m mkdocs_appreg`: the `appreg` command without the console script."""

import sys

from mkdocs_appreg.cli.commands import main

if __name__ == "__main__":
    sys.exit(main())
