"""Where the briefing's shipped data and the analyst's own files live.

Shipped (read-only, in the package): `data/calendar.csv`, `data/headlines.csv`, `data/sentences.toml`.
The analyst's own files, merged over the shipped ones when they exist (same columns; a row with the
same `id` replaces the shipped row):
    $DATAMONGER_CALENDAR   or $XDG_CONFIG_HOME/datamonger/calendar.csv
    $DATAMONGER_HEADLINES  or $XDG_CONFIG_HOME/datamonger/headlines.csv
The signing secret for unsubscribe links (created on first use, mode 0600):
    $DATAMONGER_SECRET_FILE or $XDG_CONFIG_HOME/datamonger/briefing_secret
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path


def shipped(name: str) -> Path:
    return Path(str(resources.files("datamonger.briefing") / "data" / name))


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME")
    return (Path(base) if base else Path.home() / ".config") / "datamonger"


def user_calendar() -> Path:
    override = os.environ.get("DATAMONGER_CALENDAR")
    return Path(override) if override else config_dir() / "calendar.csv"


def user_headlines() -> Path:
    override = os.environ.get("DATAMONGER_HEADLINES")
    return Path(override) if override else config_dir() / "headlines.csv"


def secret_file() -> Path:
    override = os.environ.get("DATAMONGER_SECRET_FILE")
    return Path(override) if override else config_dir() / "briefing_secret"
