"""The command line starts quickly: registering every command imports none of the heavy
libraries only some commands need (an analyst re-runs `validate` many times a day)."""

from __future__ import annotations

import json
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


def test_each_command_is_registered_by_the_module_main_imports_for_it() -> None:
    """`main` imports only the module `COMMANDS` names for the command run: the map must be
    exactly what the modules register."""
    code = (
        "import importlib, json, typer\n"
        "from datamonger.cli import COMMAND_MODULES\n"
        "from datamonger.cli.app import app\n"
        "seen = {}\n"
        "for n in COMMAND_MODULES:\n"
        "    importlib.import_module('datamonger.cli.' + n)\n"
        "    for c in typer.main.get_command(app).commands:\n"
        "        seen.setdefault(c, n)\n"
        "print(json.dumps(seen))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    from datamonger.cli import COMMANDS

    assert json.loads(done.stdout) == COMMANDS


def test_a_command_runs_with_only_its_module_imported() -> None:
    code = (
        "import sys\n"
        "sys.argv = ['datamonger', 'rules', '--return', 'ssda903']\n"
        "from datamonger.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
        "print(','.join(m for m in ('datamonger.cli.synth', 'datamonger.cli.benchmarks', "
        "'datamonger.synth', 'datamonger.benchmarks') if m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "8520" not in done.stdout and "101" in done.stdout  # the SSDA903 rules were listed
    assert done.stderr.strip() == ""
