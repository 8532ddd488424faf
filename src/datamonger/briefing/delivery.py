"""Sending the briefing by email through the council's SMTP server, always over STARTTLS.

Settings come from environment variables only (never from a file in the repository):
    DATAMONGER_SMTP_HOST       the server (required)
    DATAMONGER_SMTP_PORT       default 587
    DATAMONGER_SMTP_USER       login, if the server needs one
    DATAMONGER_SMTP_PASSWORD   its password
    DATAMONGER_SMTP_FROM       the sender address (required)
    DATAMONGER_SMTP_CAFILE     a CA bundle to trust, for a server with an internal certificate
A server that does not offer STARTTLS is refused before anything is sent.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from datamonger.briefing import render
from datamonger.briefing.facts import Briefing
from datamonger.briefing.subscribers import Subscriber
from datamonger.briefing.tokens import links

TIMEOUT = 30


class DeliveryError(RuntimeError):
    """The briefing cannot be sent (settings missing, server refused, no STARTTLS)."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    user: str | None = None
    password: str | None = None
    cafile: str | None = None

    def __repr__(self) -> str:  # never print the password
        return f"SmtpSettings(host={self.host!r}, port={self.port}, user={self.user!r})"


def settings_from_env(env: Mapping[str, str] | None = None) -> SmtpSettings:
    env = os.environ if env is None else env
    host = env.get("DATAMONGER_SMTP_HOST", "").strip()
    sender = env.get("DATAMONGER_SMTP_FROM", "").strip()
    missing = [
        n for n, v in (("DATAMONGER_SMTP_HOST", host), ("DATAMONGER_SMTP_FROM", sender)) if not v
    ]
    if missing:
        raise DeliveryError(f"set {' and '.join(missing)} to send (see docs/briefing.md)")
    try:
        port = int(env.get("DATAMONGER_SMTP_PORT", "587"))
    except ValueError:
        raise DeliveryError("DATAMONGER_SMTP_PORT must be a number") from None
    return SmtpSettings(
        host=host,
        port=port,
        sender=sender,
        user=env.get("DATAMONGER_SMTP_USER") or None,
        password=env.get("DATAMONGER_SMTP_PASSWORD") or None,
        cafile=env.get("DATAMONGER_SMTP_CAFILE") or None,
    )


def personal(b: Briefing, s: Subscriber, base_url: str | None) -> render.Personal:
    view = {"edition": b.edition, "year": str(b.year or "")}
    if b.la:
        view["la"] = str(b.la.get("la_number") or "")
    return render.Personal(
        greeting=f"Dear {s.name},",
        subscriber_line=s.describes,
        links=links(base_url, s, **view),
    )


def subject(b: Briefing) -> str:
    return b.title


def message(b: Briefing, s: Subscriber, sender: str, base_url: str | None) -> EmailMessage:
    p = personal(b, s, base_url)
    msg = EmailMessage()
    msg["Subject"] = subject(b)
    msg["From"] = sender
    msg["To"] = formataddr((s.name, s.email))
    msg["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    if p.links.get("unsubscribe"):
        msg["List-Unsubscribe"] = f"<{p.links['unsubscribe']}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(render.markdown(b, p))
    msg.add_alternative(render.html(b, p), subtype="html")
    return msg


@dataclass(frozen=True)
class Sent:
    subscriber: Subscriber
    ok: bool
    error: str | None = None


def send(
    b: Briefing, recipients: list[Subscriber], settings: SmtpSettings, base_url: str | None
) -> list[Sent]:
    """One message per subscriber over one STARTTLS connection. Raises DeliveryError when the
    connection, STARTTLS or the login fails; a refused recipient is reported, the others go on."""
    context = ssl.create_default_context(cafile=settings.cafile)
    results: list[Sent] = []
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT) as smtp:
            smtp.ehlo()
            if not smtp.has_extn("starttls"):
                raise DeliveryError(
                    f"{settings.host}:{settings.port} does not offer STARTTLS: refusing to send "
                    "briefings or a password in clear"
                )
            smtp.starttls(context=context)
            smtp.ehlo()
            if settings.user:
                smtp.login(settings.user, settings.password or "")
            for s in recipients:
                try:
                    smtp.send_message(message(b, s, settings.sender, base_url))
                    results.append(Sent(s, True))
                except smtplib.SMTPRecipientsRefused as exc:
                    results.append(Sent(s, False, f"refused: {exc.recipients}"))
    except (smtplib.SMTPException, ssl.SSLError, OSError) as exc:
        raise DeliveryError(f"cannot send through {settings.host}:{settings.port}: {exc}") from None
    return results
