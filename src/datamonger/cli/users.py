"""`datamonger users`: the workbench's accounts from the command line (the server operator's
tools, e.g. to recover the administrator account). Works on the web database beside the returns
database (`X.web.duckdb`); stop `datamonger serve` first (DuckDB lets one process open it).

Every change is written to the audit log, as done "from the command line" by the operating-system
account that ran it; a new or reset password is generated at random, printed once, and must be
changed at the next sign-in.
"""

from __future__ import annotations

import getpass
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from datamonger.cli.app import app
from datamonger.cli.errors import fail
from datamonger.cli.options import DEFAULT_DB, DbOption

users_app = typer.Typer(
    help="Manage the web workbench's users: add, list, reset-password, unlock, disable.",
    no_args_is_help=True,
)
app.add_typer(users_app, name="users")

NameArg = Annotated[str, typer.Argument(help="The user name.")]


@contextmanager
def _accounts(db: Path) -> Iterator[Any]:
    from datamonger.web.auth import Accounts
    from datamonger.web.config import WebConfig, load_secret, private_duckdb
    from datamonger.web.webdb import WebDB

    config = WebConfig(db=Path(db))
    if not config.web_db.exists() and not config.db.exists():
        typer.echo(
            f"error: no workbench database beside {db} (run `datamonger serve` once)", err=True
        )
        raise typer.Exit(2)
    private_duckdb(config.web_db)
    web = WebDB(config.web_db)
    try:
        accounts = Accounts(web, config, load_secret(config.secret_file))
        first = accounts.ensure_first_admin()
        if first:
            _show_password("admin", first, "First start: the administrator account was created.")
        yield accounts
    finally:
        web.close()


def _audit(accounts: Any, action: str, detail: dict[str, Any]) -> None:
    from datamonger.web import audit

    who = getpass.getuser()
    audit.record(
        accounts.db, None, None, action, "users", {**detail, "by": f"command line ({who})"}
    )


def _show_password(name: str, password: str, what: str) -> None:
    typer.echo(what)
    typer.echo(f"  user name: {name}")
    typer.echo(f"  password:  {password}")
    typer.echo("This password is shown once and must be changed at the next sign-in.")


def _existing(accounts: Any, username: str) -> str:
    name = username.strip().lower()
    if accounts.user_row(name) is None:
        typer.echo(f"error: there is no user called '{name}'", err=True)
        raise typer.Exit(1)
    return name


def _fail(exc: Exception) -> typer.Exit:
    return fail(str(getattr(exc, "message", exc)), code=1)


@users_app.command("add")
def add(
    username: NameArg,
    role: Annotated[
        str, typer.Option("--role", help="administrator, analyst, manager or virtual_school.")
    ] = "analyst",
    db: DbOption = DEFAULT_DB,
) -> None:
    """Add a user with a one-time password (printed once)."""
    from datamonger.web.errors import WebError

    with _accounts(db) as accounts:
        password = secrets.token_urlsafe(15)
        try:
            name = accounts.create_user(username, password, role, must_change=True)
        except WebError as exc:
            raise _fail(exc) from None
        _audit(accounts, "create_user", {"user": name, "role": role})
        _show_password(name, password, f"User {name} ({role}) added.")


@users_app.command("list")
def list_users(db: DbOption = DEFAULT_DB) -> None:
    """List the users: role, state, sign-in back-off."""
    with _accounts(db) as accounts:
        backoff = accounts.backoff()
        typer.echo(f"{'user':<24} {'role':<14} {'state':<22} failed sign-ins")
        for u in accounts.users():
            state = (
                "disabled"
                if u["disabled"]
                else "must change password"
                if u["must_change"]
                else "active"
            )
            b = backoff.get(u["username"])
            failures = f"{b['failures']}{' (paused)' if b['paused'] else ''}" if b else "0"
            typer.echo(f"{u['username']:<24} {u['role']:<14} {state:<22} {failures}")


@users_app.command("reset-password")
def reset_password(username: NameArg, db: DbOption = DEFAULT_DB) -> None:
    """Give a user a new one-time password (printed once); ends their sessions and lifts any
    sign-in pause. Recovers the administrator account."""
    with _accounts(db) as accounts:
        name = _existing(accounts, username)
        password = secrets.token_urlsafe(15)
        accounts.set_password(name, password, must_change=True)
        _audit(accounts, "reset_user", {"user": name})
        _show_password(name, password, f"Password of {name} reset.")


@users_app.command("unlock")
def unlock(username: NameArg, db: DbOption = DEFAULT_DB) -> None:
    """Lift a user's sign-in back-off (after failed sign-ins)."""
    with _accounts(db) as accounts:
        name = _existing(accounts, username)
        accounts.unlock(name)
        _audit(accounts, "unlock_user", {"user": name})
        typer.echo(f"{name} may sign in again at once.")


@users_app.command("disable")
def disable(
    username: NameArg,
    enable: Annotated[bool, typer.Option("--enable", help="Enable the user again.")] = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Disable a user (their sessions end at once); --enable undoes it."""
    with _accounts(db) as accounts:
        name = _existing(accounts, username)
        accounts.set_disabled(name, not enable)
        _audit(accounts, "enable_user" if enable else "disable_user", {"user": name})
        typer.echo(f"{name} {'enabled' if enable else 'disabled'}.")
