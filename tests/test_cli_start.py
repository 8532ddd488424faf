"""The command line starts quickly: registering every command imports none of the heavy
libraries only some commands need (an analyst re-runs `validate` many times a day)."""

from __future__ import annotations

import subprocess
import sys

HEAVY = (
    "altair",
    "vl_convert",
    "splink",
    "pyspark",
    "sqlglot",
    "weasyprint",
    "fastapi",
    "openpyxl",
)


def test_registering_the_commands_imports_no_heavy_library() -> None:
    code = (
        "import importlib, sys\n"
        "from datamonger.cli import COMMAND_MODULES\n"
        "for n in COMMAND_MODULES: importlib.import_module('datamonger.cli.' + n)\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
