"""The `appreg` command: argument parsing, reporters (one per output format), parallel validation."""

from __future__ import annotations

from .commands import main

__all__ = ["main"]
