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
import time

_LAUNCHER = (
    "import json, os, subprocess, sys\n"
    "p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    "_, status, usage = os.wait4(p.pid, 0)\n"
    "print(json.dumps([os.waitstatus_to_exitcode(status), usage.ru_maxrss]))\n"
)


def run(command: list[str]) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MB, exit code) of `command`."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, *command], capture_output=True, text=True, check=True
    )
    wall = time.perf_counter() - start
    code, peak_kb = json.loads(done.stdout)
    return wall, peak_kb / 1024, code
