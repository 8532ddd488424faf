"""Wall time and peak memory of a whole command, measured right.

A process's `ru_maxrss` counts the memory of the process it was forked from (Linux keeps the
high-water mark across fork and exec), so a big parent (a test worker, a benchmark that just
generated data) would be measured instead of the command. The command is therefore started by a
small Python launcher, and its peak read from what the launcher's `wait4` says of it.
"""

from __future__ import annotations

import json
import subprocess
import sys

_LAUNCHER = (
    "import json, os, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    "_, status, usage = os.wait4(p.pid, 0)\n"
    "wall = time.perf_counter() - start\n"
    "print(json.dumps([os.waitstatus_to_exitcode(status), usage.ru_maxrss, wall]))\n"
)


def run(command: list[str]) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MB, exit code) of `command`: its wall time is taken by the
    launcher from starting it to its exit, so the launcher's own start-up is not counted."""
    done = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, *command], capture_output=True, text=True, check=True
    )
    code, peak_kb, wall = json.loads(done.stdout)
    return wall, peak_kb / 1024, code
