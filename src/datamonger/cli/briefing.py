"""`datamonger briefing` (national or LA edition; HTML, Markdown, JSON, PDF; send to subscribers)
and `datamonger subscribers add|list|update|remove|link`.

Exit codes: 0 ok; 1 some messages could not be sent; 2 bad input or the briefing cannot be made.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from datamonger.cli.app import app
from datamonger.cli.errors import fail
from datamonger.cli.options import DEFAULT_DB, OutputOption, YearOption


class BriefingFormat(StrEnum):
    html = "html"
    md = "md"
    json = "json"
    pdf = "pdf"


class Charts(StrEnum):
    key = "key"
    all = "all"
    none = "none"


@contextmanager
def _user_errors() -> Iterator[None]:
    """Users never see a traceback: every failure becomes one line and exit code 2."""
    try:
        yield
    except typer.Exit:
        raise
    except Exception as exc:
        raise fail(str(exc) or type(exc).__name__) from None


def _format(fmt: BriefingFormat | None, output: Path | None) -> BriefingFormat:
    if fmt is not None:
        return fmt
    if output is not None:
        suffix = output.suffix.lower().lstrip(".")
        return {"htm": BriefingFormat.html, "markdown": BriefingFormat.md}.get(
            suffix, BriefingFormat(suffix) if suffix in BriefingFormat.__members__ else None
        ) or BriefingFormat.html
    return BriefingFormat.md


@app.command("briefing")
def briefing_command(
    national_: Annotated[
        bool, typer.Option("--national", help="The national edition (published data alone).")
    ] = False,
    la: Annotated[
        str | None,
        typer.Option("--la", help="The LA edition for this LA (name, ONS code or DfE number)."),
    ] = None,
    year: YearOption = None,
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            help="As at this date (YYYY-MM-DD): published figures out by then; own figures for "
            "the 12 months to it.",
        ),
    ] = None,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db", dir_okay=False, help="The LA's loaded returns (own figures, validation)."
        ),
    ] = None,
    fmt: Annotated[
        BriefingFormat | None,
        typer.Option("--format", help="html, md, json or pdf (default: from --output, else md)."),
    ] = None,
    output: OutputOption = None,
    charts: Annotated[Charts, typer.Option("--charts", help="key, all or none.")] = Charts.key,
    calendar_file: Annotated[
        Path | None,
        typer.Option("--calendar", help="Your calendar CSV, merged over the shipped one."),
    ] = None,
    headlines_file: Annotated[
        Path | None,
        typer.Option("--headlines", help="Your headlines CSV, merged over the shipped one."),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Date the calendar is relative to (default today)."),
    ] = None,
    send: Annotated[bool, typer.Option("--send", help="Email it to the subscribers.")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="With --send: show who would receive what.")
    ] = False,
    subscribers_db: Annotated[
        Path | None,
        typer.Option(
            "--subscribers",
            dir_okay=False,
            help="Subscriber database (default: --db, else datamonger.duckdb).",
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            envvar="DATAMONGER_BASE_URL",
            help="Web address of Datamonger, for view-in-browser and unsubscribe links.",
        ),
    ] = None,
) -> None:
    """Write the briefing: publications calendar, what was published, where we stand, what stands
    out (practice or recording?), our own figures and validation, what to look at next."""
    with _user_errors():
        if national_ == bool(la):
            raise fail("give either --national or --la LA")
        if year is not None and to is not None:
            raise fail("give --year or --to, not both")
        to_date = dt.date.fromisoformat(to) if to else None
        as_of_date = dt.date.fromisoformat(as_of) if as_of else None
        from datamonger.briefing import api, render

        b = api.build(
            "national" if national_ else "la",
            la=la,
            year=year,
            to=to_date,
            db=db,
            as_of=as_of_date,
            charts=charts.value,
            calendar_file=calendar_file,
            headlines_file=headlines_file,
        )
        if send or dry_run:
            code = _send(b, subscribers_db or db or DEFAULT_DB, base_url, dry_run)
            raise typer.Exit(code)
        f = _format(fmt, output)
        if f is BriefingFormat.pdf and output is None:
            raise fail("--format pdf needs --output FILE.pdf")
        out = render.render(b, f.value)
        if output is not None:
            if isinstance(out, bytes):
                output.write_bytes(out)
            else:
                output.write_text(out, encoding="utf-8")
            Console(stderr=True).print(f"Wrote {output}", highlight=False)
        else:
            assert isinstance(out, str)
            sys.stdout.write(out)


def _send(b: object, db: Path, base_url: str | None, dry_run: bool) -> int:
    from datamonger.briefing import delivery
    from datamonger.briefing import subscribers as subs
    from datamonger.briefing.facts import Briefing

    assert isinstance(b, Briefing)
    la_number = str(b.la["la_number"]) if b.la else None
    recipients = subs.for_edition(db, b.edition, la_number)
    console = Console()
    if not recipients:
        console.print(f"No active subscriber for this edition in {db}.", highlight=False)
        return 0
    if dry_run:
        t = Table(title=f"Would send: {delivery.subject(b)}", title_justify="left")
        for col in ("Id", "Name", "Email", "Role", "Edition", "Frequency"):
            t.add_column(col)
        for s in recipients:
            t.add_row(str(s.id), s.name, s.email, s.role or "", s.edition, s.frequency)
        console.print(t)
        console.print(
            f"{len(recipients)} message(s); nothing sent (--dry-run)."
            + ("" if base_url else " No --base-url: the emails would have no unsubscribe link."),
            highlight=False,
        )
        return 0
    if not base_url:
        raise fail("--send needs --base-url (or DATAMONGER_BASE_URL) for the unsubscribe links")
    settings = delivery.settings_from_env()
    results = delivery.send(b, recipients, settings, base_url)
    failed = [r for r in results if not r.ok]
    for r in failed:
        console.print(f"[red]not sent[/] {r.subscriber.email}: {r.error}", highlight=False)
    console.print(f"Sent {len(results) - len(failed)} of {len(results)}.", highlight=False)
    return 1 if failed else 0


subscribers_app = typer.Typer(
    no_args_is_help=True, help="Who receives the briefing (kept in a local DuckDB file)."
)
app.add_typer(subscribers_app, name="subscribers")

DbOpt = Annotated[
    Path, typer.Option("--db", dir_okay=False, help="Subscriber database (DuckDB file).")
]


def _resolve_la(la: str | None) -> tuple[str | None, str | None]:
    if not la:
        return None, None
    from datamonger.benchmarks.published import Published

    found = Published.open().areas.find(la)
    return found.number, found.name


@subscribers_app.command("add")
def subscribers_add(
    name: Annotated[str, typer.Option("--name")],
    email: Annotated[str, typer.Option("--email")],
    edition: Annotated[str, typer.Option("--edition", help="national or la.")] = "la",
    la: Annotated[str | None, typer.Option("--la", help="For the LA edition.")] = None,
    role: Annotated[str | None, typer.Option("--role")] = None,
    frequency: Annotated[
        str, typer.Option("--frequency", help="release, monthly or quarterly.")
    ] = "release",
    db: DbOpt = DEFAULT_DB,
) -> None:
    """Add a subscriber."""
    with _user_errors():
        from datamonger.briefing import subscribers as subs

        number, la_name = _resolve_la(la) if edition == "la" else (None, None)
        s = subs.add(db, name, email, edition, frequency, role, number, la_name)
        typer.echo(f"Added subscriber {s.id}: {s.name} <{s.email}>, {s.describes}.")


@subscribers_app.command("list")
def subscribers_list(
    db: DbOpt = DEFAULT_DB,
    json_: Annotated[bool, typer.Option("--json", help="As JSON.")] = False,
    active: Annotated[bool, typer.Option("--active", help="Only active subscribers.")] = False,
) -> None:
    """List subscribers."""
    with _user_errors():
        from datamonger.briefing import subscribers as subs

        rows = subs.all_subscribers(db, active_only=active)
        if json_:
            typer.echo(json.dumps([s.to_dict() for s in rows], indent=2))
            return
        t = Table(title_justify="left")
        for col in ("Id", "Name", "Email", "Role", "Edition", "LA", "Frequency", "Active"):
            t.add_column(col)
        for s in rows:
            t.add_row(
                str(s.id),
                s.name,
                s.email,
                s.role or "",
                s.edition,
                s.la_name or "",
                s.frequency,
                "yes"
                if s.active
                else f"no (since {s.unsubscribed_at:%Y-%m-%d})"
                if s.unsubscribed_at
                else "no",
            )
        Console().print(t)


@subscribers_app.command("update")
def subscribers_update(
    subscriber_id: Annotated[int, typer.Argument(help="Subscriber id (see `list`).")],
    name: Annotated[str | None, typer.Option("--name")] = None,
    email: Annotated[str | None, typer.Option("--email")] = None,
    role: Annotated[str | None, typer.Option("--role")] = None,
    edition: Annotated[str | None, typer.Option("--edition")] = None,
    la: Annotated[str | None, typer.Option("--la")] = None,
    frequency: Annotated[str | None, typer.Option("--frequency")] = None,
    active: Annotated[
        bool | None, typer.Option("--active/--inactive", help="Resubscribe or unsubscribe.")
    ] = None,
    db: DbOpt = DEFAULT_DB,
) -> None:
    """Change a subscriber's details, edition, frequency or status."""
    with _user_errors():
        from datamonger.briefing import subscribers as subs

        number, la_name = _resolve_la(la)
        s = subs.update(
            db,
            subscriber_id,
            name=name,
            email=email,
            role=role,
            edition=edition,
            la=number,
            la_name=la_name,
            frequency=frequency,
            active=active,
        )
        typer.echo(f"Subscriber {s.id}: {s.name}, {s.describes}, active: {s.active}.")


@subscribers_app.command("remove")
def subscribers_remove(
    who: Annotated[str, typer.Argument(help="Subscriber id or email address.")],
    db: DbOpt = DEFAULT_DB,
) -> None:
    """Delete a subscriber (by id, or every subscription of an email address)."""
    with _user_errors():
        from datamonger.briefing import subscribers as subs

        gone = subs.remove(db, who)
        if not gone:
            raise fail(f"no subscriber {who!r}")
        for s in gone:
            typer.echo(f"Removed subscriber {s.id}: {s.email} ({s.edition}).")


@subscribers_app.command("link")
def subscribers_link(
    subscriber_id: Annotated[int, typer.Argument()],
    base_url: Annotated[str, typer.Option("--base-url", envvar="DATAMONGER_BASE_URL")],
    db: DbOpt = DEFAULT_DB,
) -> None:
    """Print a subscriber's preferences and unsubscribe links."""
    with _user_errors():
        from datamonger.briefing import subscribers as subs
        from datamonger.briefing.tokens import links

        s = subs.get(db, subscriber_id)
        if s is None:
            raise fail(f"no subscriber {subscriber_id}")
        for k, v in links(base_url, s).items():
            typer.echo(f"{k}: {v}")
