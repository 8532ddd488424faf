"""Where the workbench keeps its own things, and how long a session lasts.

Beside the returns database `X.duckdb` the web app keeps two sibling files:

- `X.web.duckdb`: users, sessions, login failures, targets, settings, stored validation runs and
  the append-only audit log (a separate file, so reloading or replacing the returns never touches
  who may see them or what was seen);
- `X.web.secret`: the key that signs session cookies, generated at first start, mode 0600.
"""

from __future__ import annotations

import os
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Argon2Profile:
    time_cost: int
    memory_cost: int  # KiB
    parallelism: int


# argon2-cffi's defaults (RFC 9106 low-memory profile): about 0.5 s per hash on a small machine.
PRODUCTION = Argon2Profile(time_cost=3, memory_cost=65536, parallelism=4)
# For tests only: the same algorithm, cheap enough to hash many times.
CHEAP = Argon2Profile(time_cost=1, memory_cost=1024, parallelism=1)


@dataclass(frozen=True)
class WebConfig:
    db: Path
    argon2: Argon2Profile = PRODUCTION
    session_idle_minutes: int = 60
    session_max_hours: int = 12
    # Login throttling: failures counted over a window, per user name and per client address.
    throttle_window_minutes: int = 15
    throttle_per_user: int = 5
    throttle_per_ip: int = 20
    min_password_length: int = 12
    # Red / amber / green: amber when the value misses the target by at most this share of it.
    amber_tolerance: float = 0.05
    max_upload_bytes: int = 512 * 1024 * 1024
    warm_caches: bool = True  # compute indicators and benchmarks in the background after start
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def web_db(self) -> Path:
        return self.db.with_name(self.db.stem + ".web.duckdb")

    @property
    def secret_file(self) -> Path:
        return self.db.with_name(self.db.stem + ".web.secret")


def load_secret(path: Path) -> bytes:
    """The signing key: created at first start (random, 32 bytes) with mode 0600, then reused.

    A key file that others can read is tightened to 0600 before use."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        path.chmod(0o600)
    key = path.read_text().strip()
    if len(key) < 32:
        raise ValueError(f"{path} does not hold a usable key; delete it to make a new one")
    return key.encode()
