"""`datamonger serve`: prints the address and, at first start only, a one-time password."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(db: Path, port: int) -> tuple[subprocess.Popen[str], list[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "datamonger", "serve", "--db", str(db), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    lines: list[str] = []
    assert proc.stdout is not None
    for _ in range(400):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                if r.read() == b"ok":
                    break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        raise AssertionError(proc.stdout.read())
    return proc, lines


def _stop(proc: subprocess.Popen[str]) -> str:
    proc.terminate()
    out, _ = proc.communicate(timeout=30)
    return out


def test_serve_prints_the_address_and_a_one_time_password(tmp_path: Path) -> None:
    db = tmp_path / "la.duckdb"
    port = _free_port()
    proc, _ = _serve(db, port)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as r:
        assert r.status == 200 and b"Sign in" in r.read()
    out = _stop(proc)
    assert f"http://127.0.0.1:{port}/" in out
    password = next(
        line.split(":", 1)[1].strip() for line in out.splitlines() if "password:" in line
    )
    assert len(password) >= 16
    con = duckdb.connect(str(db.with_name("la.web.duckdb")), read_only=True)
    (stored,) = con.execute("SELECT password_hash FROM users WHERE username = 'admin'").fetchone()  # type: ignore[misc]
    con.close()
    assert stored.startswith("$argon2id$") and password not in stored
    assert (db.with_name("la.web.secret").stat().st_mode & 0o777) == 0o600
    # a second start shows no password
    proc, _ = _serve(db, port)
    out = _stop(proc)
    assert "password:" not in out and password not in out
