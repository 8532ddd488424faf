"""Who receives the briefing: a small table in a local DuckDB file (the --db, or datamonger.duckdb).

A subscriber has a name, an email address, a role, an edition (national, or la with an LA's DfE
number) and a frequency (release: each time a release changes the figures; monthly; quarterly).
Unsubscribing keeps the row, marked inactive with the date, so that a later import of an old list
cannot silently subscribe the person again.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb

TABLE = "briefing_subscribers"
EDITIONS = ("national", "la")
FREQUENCIES = ("release", "monthly", "quarterly")
_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")

SCHEMA = f"""
create sequence if not exists {TABLE}_ids start 1;
create table if not exists {TABLE} (
    id integer primary key default nextval('{TABLE}_ids'),
    name varchar not null, email varchar not null, role varchar,
    edition varchar not null, la varchar, la_name varchar, frequency varchar not null,
    active boolean not null default true, created_at timestamp, unsubscribed_at timestamp)
"""
COLUMNS = (
    "id, name, email, role, edition, la, la_name, frequency, active, created_at, unsubscribed_at"
)


class SubscriberError(ValueError):
    """A subscriber cannot be added or changed as asked."""


@dataclass(frozen=True, slots=True)
class Subscriber:
    id: int
    name: str
    email: str
    role: str | None
    edition: str
    la: str | None
    la_name: str | None
    frequency: str
    active: bool
    created_at: dt.datetime | None
    unsubscribed_at: dt.datetime | None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("created_at", "unsubscribed_at"):
            d[k] = d[k].isoformat(timespec="seconds") if d[k] else None
        return d

    @property
    def describes(self) -> str:
        what = (
            "the national edition" if self.edition == "national" else f"the {self.la_name} edition"
        )
        return f"{self.email}, {what}, {self.frequency}"


def connect(db: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(db))
    con.execute(SCHEMA)
    return con


def _row(r: tuple[Any, ...]) -> Subscriber:
    return Subscriber(*r)


def _check(edition: str, frequency: str, email: str, la: str | None) -> None:
    if edition not in EDITIONS:
        raise SubscriberError(f"edition must be one of {', '.join(EDITIONS)}, not {edition!r}")
    if frequency not in FREQUENCIES:
        raise SubscriberError(
            f"frequency must be one of {', '.join(FREQUENCIES)}, not {frequency!r}"
        )
    if not _EMAIL.match(email):
        raise SubscriberError(f"{email!r} is not an email address")
    if edition == "la" and not la:
        raise SubscriberError("the LA edition needs --la")


def add(
    db: Path,
    name: str,
    email: str,
    edition: str,
    frequency: str = "release",
    role: str | None = None,
    la: str | None = None,
    la_name: str | None = None,
) -> Subscriber:
    email = email.strip()
    _check(edition, frequency, email, la)
    if edition == "national":
        la = la_name = None
    with connect(db) as con:
        same = con.execute(
            f"select id from {TABLE} where lower(email) = lower(?) and edition = ? "
            "and coalesce(la, '') = coalesce(?, '')",
            [email, edition, la],
        ).fetchone()
        if same:
            raise SubscriberError(
                f"{email} already has this edition (subscriber {same[0]}); "
                "use `datamonger subscribers update` to change it"
            )
        row = con.execute(
            f"""insert into {TABLE} (name, email, role, edition, la, la_name, frequency, created_at)
            values (?, ?, ?, ?, ?, ?, ?, ?) returning {COLUMNS}""",
            [name.strip(), email, role, edition, la, la_name, frequency, _now()],
        ).fetchone()
    assert row is not None
    return _row(row)


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def all_subscribers(db: Path, active_only: bool = False) -> list[Subscriber]:
    if not db.exists():
        return []
    with connect(db) as con:
        rows = con.execute(
            f"select {COLUMNS} from {TABLE} {'where active' if active_only else ''} order by id"
        ).fetchall()
    return [_row(r) for r in rows]


def get(db: Path, subscriber_id: int) -> Subscriber | None:
    with connect(db) as con:
        row = con.execute(f"select {COLUMNS} from {TABLE} where id = ?", [subscriber_id]).fetchone()
    return _row(row) if row else None


def find(db: Path, who: str) -> list[Subscriber]:
    """Subscribers by id or email address."""
    if who.strip().isdigit():
        one = get(db, int(who))
        return [one] if one else []
    return [s for s in all_subscribers(db) if s.email.lower() == who.strip().lower()]


def remove(db: Path, who: str) -> list[Subscriber]:
    """Delete subscribers (by id or email) outright: for mistakes, not for unsubscribing."""
    found = find(db, who)
    if found:
        with connect(db) as con:
            con.execute(
                f"delete from {TABLE} where id in ({', '.join('?' * len(found))})",
                [s.id for s in found],
            )
    return found


def update(db: Path, subscriber_id: int, **changes: Any) -> Subscriber:
    current = get(db, subscriber_id)
    if current is None:
        raise SubscriberError(f"no subscriber {subscriber_id}")
    wanted = {k: v for k, v in changes.items() if v is not None}
    merged = {**current.to_dict(), **wanted}
    _check(merged["edition"], merged["frequency"], merged["email"], merged["la"])
    if merged["edition"] == "national":
        wanted["la"] = wanted["la_name"] = None
    if "active" in wanted:
        wanted["unsubscribed_at"] = None if wanted["active"] else _now()
    allowed = {"name", "email", "role", "edition", "la", "la_name", "frequency", "active"}
    sets = [k for k in wanted if k in allowed | {"unsubscribed_at"}]
    if sets:
        with connect(db) as con:
            con.execute(
                f"update {TABLE} set {', '.join(f'{k} = ?' for k in sets)} where id = ?",
                [wanted[k] for k in sets] + [subscriber_id],
            )
    result = get(db, subscriber_id)
    assert result is not None
    return result


def unsubscribe(db: Path, subscriber_id: int) -> Subscriber:
    return update(db, subscriber_id, active=False)


def for_edition(
    db: Path, edition: str, la: str | None = None, frequency: str | None = None
) -> list[Subscriber]:
    return [
        s
        for s in all_subscribers(db, active_only=True)
        if s.edition == edition
        and (edition == "national" or s.la == la)
        and (frequency is None or s.frequency == frequency)
    ]
