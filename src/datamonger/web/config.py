"""Where the workbench keeps its own things, and how long a session lasts.

Beside the returns database `X.duckdb` the web app keeps two sibling files:

- `X.web.duckdb`: users, sessions, login failures, targets, settings, stored validation runs and
  the append-only audit log (a separate file, so reloading or replacing the returns never touches
  who may see them or what was seen);
- `X.web.secret`: the key that signs session cookies, generated at first start, mode 0600.

Both, and `X.subscribers.duckdb`, are readable by their owner only (0600).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import stat
import tempfile
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
    # Sign-in back-off, per user name and per client address (the real one, behind a trusted
    # proxy): from the `throttle_per_user`-th (`throttle_per_ip`-th) failure on, sign-in for that
    # name (address) pauses `throttle_first_delay` seconds, doubling with each further failure up
    # to `throttle_max_delay`; never a hard lock. A success, an administrator's unlock or reset
    # clears a user's count; failures are forgotten after `throttle_forget_hours` without one.
    throttle_per_user: int = 5
    throttle_per_ip: int = 20
    throttle_first_delay: float = 1.0
    throttle_max_delay: float = 15 * 60
    throttle_forget_hours: int = 24
    min_password_length: int = 12
    # Red / amber / green: amber when the value misses the target by at most this share of it.
    amber_tolerance: float = 0.05
    # Request bodies: POST /upload up to `max_upload_bytes`, every other route `max_form_bytes`;
    # counted while the body streams in (a Content-Length over it is refused before reading).
    max_upload_bytes: int = 512 * 1024 * 1024
    max_form_bytes: int = 1024 * 1024
    # Framework PDF and validation workbook exports: worked out by this many threads, at most
    # `exports_per_user` waiting or running for one user, `exports_queued` for everyone.
    export_workers: int = 2
    exports_per_user: int = 2
    exports_queued: int = 20
    warm_caches: bool = True  # compute indicators and benchmarks in the background after start
    extra: dict[str, str] = field(default_factory=dict)
    # A regional pool folder (`datamonger serve --pool`): the /pool page shows its aggregated
    # figures per LA and for the pool (see docs/pool.md).
    pool: Path | None = None

    @property
    def web_db(self) -> Path:
        return self.db.with_name(self.db.stem + ".web.duckdb")

    @property
    def secret_file(self) -> Path:
        return self.db.with_name(self.db.stem + ".web.secret")

    @property
    def subscribers_db(self) -> Path:
        return self.db.with_name(self.db.stem + ".subscribers.duckdb")

    @property
    def tmp_dir(self) -> Path:
        """The workbench's own temporary folder (uploads being loaded, exports being written),
        mode 0700; emptied at every start, so nothing a crash left behind stays."""
        return self.db.with_name(self.db.stem + ".web.tmp")


def private_duckdb(path: Path) -> None:
    """Make sure the DuckDB file at `path` is readable by its owner only (0600), and so is its
    write-ahead log. A new file is made inside a private (0700) folder, tightened, then moved
    into place, so no other local user can open it in between."""
    if not path.exists():
        import duckdb

        path.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".new-", dir=path.parent))  # mode 0700
        try:
            fresh = staging / path.name
            duckdb.connect(str(fresh)).close()
            fresh.chmod(0o600)
            with contextlib.suppress(FileExistsError):  # another process was quicker: fine
                os.link(fresh, path)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    for p in (path, path.with_name(path.name + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            if stat.S_IMODE(p.stat().st_mode) & 0o077:
                p.chmod(0o600)


def private_dir(path: Path, empty: bool = False) -> Path:
    """A folder only its owner can enter (0700); `empty` removes whatever is in it."""
    if empty and path.exists():
        shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if stat.S_IMODE(path.stat().st_mode) != 0o700:
        path.chmod(0o700)
    return path


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
