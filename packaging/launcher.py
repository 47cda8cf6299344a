"""The frozen app's entry script: the same as the `pacspace-desktop` command."""

from __future__ import annotations

import sys

from pacspace_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
