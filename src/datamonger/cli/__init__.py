"""The command line: one module per area, one function per command, shared options in `options`.

Each module registers its commands on `app` when imported. `main` imports only the module of the
command run (`COMMANDS`), since every area's imports cost start-up time that `validate`, run
many times a day, should not pay; help, or a command it does not know, imports them all.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from typing import NoReturn

from datamonger.cli.app import app

# Command -> the module that registers it (a test holds this to what the modules register). An
# area adds its commands here, and nowhere else.
COMMANDS = {
    "load": "load",
    "synth": "synth",
    "validate": "validate",
    "rules": "validate",
    "indicators": "indicators",
    "benchmark": "benchmarks",
    "explore": "benchmarks",
    "las": "benchmarks",
    "measures": "benchmarks",
    "reference": "benchmarks",
    "serve": "serve",
    "users": "users",
    "briefing": "briefing",
    "subscribers": "briefing",
    "early-years": "early_years",
    "recording": "recording",
    "pool": "pool",
}
COMMAND_MODULES = tuple(dict.fromkeys(COMMANDS.values()))  # in the order of `--help`
# Commands that close everything they open (stores, files) before they return: their process
# leaves at once, without tearing the interpreter down (freeing DuckDB's and Arrow's memory one
# object at a time and joining their threads: 80 ms after a 3,600-child validate).
LEAVE_AT_ONCE = frozenset({"validate"})


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    for name in [COMMANDS[command]] if command in COMMANDS else COMMAND_MODULES:
        try:
            importlib.import_module(f"datamonger.cli.{name}")
        except ModuleNotFoundError as exc:  # an area not built yet must not break the others
            if exc.name != f"datamonger.cli.{name}":
                raise
    try:
        app(standalone_mode=True)
    except SystemExit as done:
        if command in LEAVE_AT_ONCE:
            _leave(done.code)
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # the last line of defence: users never see a traceback
        sys.exit(_explain(exc))


def _leave(code: object) -> NoReturn:
    status = code if isinstance(code, int) else 0 if code is None else 1
    for stream in (sys.stdout, sys.stderr):
        # a closed pipe (`| head`) has nothing left to receive
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(status)


def _explain(exc: Exception) -> int:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "lock" in text.lower() and "file" in text.lower():
        print(
            "error: the database is open in another program (probably `datamonger serve`). "
            "Stop it, or use another --db file, and try again.",
            file=sys.stderr,
        )
    else:
        print(
            f"error: {text}\n    This is unexpected: please report it with the command you ran "
            "(no child data needed).",
            file=sys.stderr,
        )
    return 2
