"""The command line: one module per area, one function per command, shared options in `options`.

Each module registers its commands on `app` when imported; `main` imports them all.
"""

from __future__ import annotations

import importlib

from datamonger.cli.app import app

# Modules that register commands. An area adds its module here, and nowhere else.
COMMAND_MODULES = ("load", "synth", "validate", "indicators", "benchmarks", "serve", "briefing")


def main() -> None:
    for name in COMMAND_MODULES:
        try:
            importlib.import_module(f"datamonger.cli.{name}")
        except ModuleNotFoundError as exc:  # an area not built yet must not break the others
            if exc.name != f"datamonger.cli.{name}":
                raise
    app()
