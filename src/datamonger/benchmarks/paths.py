"""Where the benchmark data lives: shipped (read-only), cached (rebuildable) and imported (the user's).

The installed package is never written to. The cache is derived from the shipped files and can be
deleted at any time; the reference database holds what the analyst imported and is theirs to keep.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path


def published_dir() -> Path:
    return Path(str(resources.files("datamonger") / "data" / "published"))


def _xdg(var: str, default: str) -> Path:
    value = os.environ.get(var)
    return Path(value) if value else Path.home() / default


def cache_dir() -> Path:
    override = os.environ.get("DATAMONGER_CACHE_DIR")
    return Path(override) if override else _xdg("XDG_CACHE_HOME", ".cache") / "datamonger"


def default_reference_db() -> Path:
    """The analyst's own database of imported published files (newer than the shipped ones)."""
    override = os.environ.get("DATAMONGER_REFERENCE_DB")
    if override:
        return Path(override)
    return _xdg("XDG_DATA_HOME", ".local/share") / "datamonger" / "reference.duckdb"


def default_notes_file() -> Path:
    """The analyst's own flag notes, merged over the shipped ones when the file exists."""
    override = os.environ.get("DATAMONGER_NOTES")
    if override:
        return Path(override)
    return _xdg("XDG_CONFIG_HOME", ".config") / "datamonger" / "flag_notes.csv"
