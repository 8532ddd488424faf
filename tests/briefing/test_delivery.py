"""Sending through a real SMTP server on 127.0.0.1 (aiosmtpd), with STARTTLS on a throwaway
certificate; subscribers, signed links and the secret file."""

from __future__ import annotations

import datetime as dt
import email
import os
import socket
import stat
from collections.abc import Iterator
from email import policy
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from typer.testing import CliRunner

import datamonger.cli.briefing  # noqa: F401  (registers the commands)
from datamonger.briefing import subscribers as subs
from datamonger.briefing import tokens
from datamonger.briefing.delivery import DeliveryError, SmtpSettings, send
from datamonger.briefing.national import national
from datamonger.cli.app import app


class Inbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[email.message.EmailMessage] = []

    def handle_message(self, message: email.message.Message) -> None:
        self.messages.append(email.message_from_bytes(message.as_bytes(), policy=policy.default))  # type: ignore[arg-type]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _certificate(folder: Path) -> tuple[Path, Path]:
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[Inbox, int, Path]]:
    import ssl

    cert, key = _certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = Inbox()
    port = _free_port()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True
    )
    controller.start()
    yield inbox, port, cert
    controller.stop()


@pytest.fixture
def plain_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture(scope="module")
def briefing():  # type: ignore[no-untyped-def]
    return national(2025, dt.date(2025, 12, 1), charts="none")


def test_sends_personal_copies_over_starttls(tmp_path: Path, tls_server, briefing) -> None:  # type: ignore[no-untyped-def]
    inbox, port, cert = tls_server
    db = tmp_path / "subs.duckdb"
    ana = subs.add(db, "Ana Analyst", "ana@example.org", "national", role="analyst")
    subs.add(db, "Max Manager", "max@example.org", "national", role="head of service")
    settings = SmtpSettings("127.0.0.1", port, "briefing@example.org", cafile=str(cert))
    results = send(briefing, subs.for_edition(db, "national"), settings, "http://127.0.0.1:8000")
    assert all(r.ok for r in results) and len(inbox.messages) == 2
    msg = next(m for m in inbox.messages if "ana@example.org" in m["To"])
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Dear Ana Analyst," in html and "Dear Ana Analyst," in text
    assert "View this briefing in your browser" in html
    unsubscribe = msg["List-Unsubscribe"].strip("<>")
    token = parse_qs(urlparse(unsubscribe).query)["token"][0]
    assert tokens.subscriber_for(token, db).id == ana.id  # type: ignore[union-attr]
    # the link works: it unsubscribes Ana and nobody else
    assert tokens.apply_unsubscribe(token, db).active is False  # type: ignore[union-attr]
    assert [s.email for s in subs.for_edition(db, "national")] == ["max@example.org"]
    # a tampered token does nothing
    assert tokens.apply_unsubscribe(token[:-2] + "xx", db) is None


def test_refuses_a_server_without_starttls(tmp_path: Path, plain_server, briefing) -> None:  # type: ignore[no-untyped-def]
    inbox, port = plain_server
    db = tmp_path / "subs.duckdb"
    subs.add(db, "Ana", "ana@example.org", "national")
    settings = SmtpSettings("127.0.0.1", port, "briefing@example.org", "user", "secret")
    with pytest.raises(DeliveryError, match="STARTTLS"):
        send(briefing, subs.for_edition(db, "national"), settings, None)
    assert inbox.messages == []


def test_secret_file_is_private_and_refused_when_not(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    tokens.secret(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    os.chmod(path, 0o644)
    with pytest.raises(tokens.SecretError, match="chmod 600"):
        tokens.secret(path)


def test_preferences_by_token(tmp_path: Path) -> None:
    db = tmp_path / "subs.duckdb"
    s = subs.add(db, "Ana", "ana@example.org", "national")
    token = tokens.make(s)
    changed = tokens.update_preferences(token, db, frequency="quarterly")
    assert changed is not None and changed.frequency == "quarterly"
    subs.update(db, s.id, email="ana.new@example.org")  # old links stop working
    assert tokens.subscriber_for(token, db) is None


def test_subscribers_cli_and_dry_run(tmp_path: Path) -> None:
    db = tmp_path / "subs.duckdb"
    run = CliRunner().invoke
    r = run(
        app,
        [
            "subscribers",
            "add",
            "--name",
            "Ana",
            "--email",
            "ana@example.org",
            "--la",
            "Leeds",
            "--role",
            "analyst",
            "--db",
            str(db),
        ],
    )
    assert r.exit_code == 0, r.output
    r = run(
        app,
        [
            "subscribers",
            "add",
            "--name",
            "Bo",
            "--email",
            "not-an-email",
            "--edition",
            "national",
            "--db",
            str(db),
        ],
    )
    assert r.exit_code == 2 and "Traceback" not in r.output
    r = run(app, ["subscribers", "list", "--json", "--db", str(db)])
    assert '"la": "383"' in r.output and '"la_name": "Leeds"' in r.output
    r = run(
        app,
        [
            "briefing",
            "--la",
            "Leeds",
            "--year",
            "2025",
            "--dry-run",
            "--subscribers",
            str(db),
            "--charts",
            "none",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "ana@example.org" in r.output and "nothing sent" in r.output
    r = run(app, ["subscribers", "remove", "ana@example.org", "--db", str(db)])
    assert r.exit_code == 0 and subs.all_subscribers(db) == []


def test_briefing_cli_formats(tmp_path: Path) -> None:
    run = CliRunner().invoke
    pdf = tmp_path / "b.pdf"
    r = run(
        app,
        ["briefing", "--national", "--year", "2024", "--output", str(pdf), "--as-of", "2025-01-15"],
    )
    assert r.exit_code == 0, r.output
    assert pdf.read_bytes().startswith(b"%PDF")
    html = tmp_path / "b.html"
    r = run(app, ["briefing", "--la", "Leeds", "--output", str(html), "--charts", "all"])
    page = html.read_text()
    assert r.exit_code == 0 and "<svg" in page and "<script" not in page and "<link" not in page
    r = run(app, ["briefing", "--national", "--year", "1990"])
    assert r.exit_code == 2 and "Traceback" not in r.output
