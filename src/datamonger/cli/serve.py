"""`datamonger serve`: the web workbench, one process over the embedded database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from datamonger.cli.app import app
from datamonger.cli.options import DEFAULT_DB, DbOption


def uvicorn_options(host: str, port: int, forwarded_allow_ips: str | None) -> dict[str, Any]:
    """How uvicorn runs the workbench. Behind a reverse proxy, `forwarded_allow_ips` names the
    proxies to believe (comma-separated addresses or networks): their X-Forwarded-For gives the
    client's real address (the audit log, the per-address sign-in back-off) and their
    X-Forwarded-Proto tells HTTPS (cookies are then `Secure`). Without it the headers are
    ignored, so no client can pretend to be another address."""
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": "warning",
        "proxy_headers": forwarded_allow_ips is not None,
        "server_header": False,
    }
    if forwarded_allow_ips is not None:
        options["forwarded_allow_ips"] = forwarded_allow_ips
    return options


@app.command()
def serve(
    db: DbOption = DEFAULT_DB,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (127.0.0.1: this machine only).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            "--forwarded-allow-ips",
            help="The reverse proxies to trust (comma-separated addresses or networks, e.g. "
            "127.0.0.1): their X-Forwarded-For and X-Forwarded-Proto give the client's address "
            "and HTTPS. Without it these headers are ignored.",
        ),
    ] = None,
    pool: Annotated[
        Path | None,
        typer.Option(
            "--pool",
            help="A regional pool folder: the page /pool shows every indicator per LA of the "
            "pool and for the pool (aggregated only; suppressed for managers).",
            file_okay=False,
        ),
    ] = None,
) -> None:
    """Run the web workbench. At first start it prints a one-time administrator password."""
    import os

    import uvicorn

    # everything this process writes (databases and their logs, uploads, exports) is its
    # owner's only: they hold personal data
    os.umask(0o077)

    from datamonger.web import WebConfig, create_app
    from datamonger.web.services import Workbench

    config = WebConfig(db=Path(db), pool=pool)
    try:
        wb = Workbench(config)
    except Exception as exc:  # users never see a traceback
        typer.echo(f"error: cannot open {db}: {exc}", err=True)
        raise typer.Exit(2) from None
    application = create_app(config, wb)
    typer.echo(f"Datamonger workbench: http://{host}:{port}/")
    typer.echo(f"Returns database: {config.db}; users and audit log: {config.web_db}")
    if wb.initial_password:
        typer.echo("")
        typer.echo("First start: an administrator account was created.")
        typer.echo("  user name: admin")
        typer.echo(f"  password:  {wb.initial_password}")
        typer.echo("This password is shown once and must be changed at first sign-in.")
        typer.echo("")
    if host not in ("127.0.0.1", "localhost", "::1"):
        typer.echo(
            "Listening beyond this machine: put it behind HTTPS (a reverse proxy) so that "
            "passwords and child data never cross the network in clear.",
            err=True,
        )
    uvicorn.run(application, **uvicorn_options(host, port, forwarded_allow_ips))
