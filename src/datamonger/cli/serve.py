"""`datamonger serve`: the web workbench, one process over the embedded database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from datamonger.cli.app import app
from datamonger.cli.options import DEFAULT_DB, DbOption


@app.command()
def serve(
    db: DbOption = DEFAULT_DB,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (127.0.0.1: this machine only).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
) -> None:
    """Run the web workbench. At first start it prints a one-time administrator password."""
    import uvicorn

    from datamonger.web import WebConfig, create_app
    from datamonger.web.services import Workbench

    config = WebConfig(db=Path(db))
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
    uvicorn.run(application, host=host, port=port, log_level="warning", proxy_headers=False)
