"""A briefing as HTML (self-contained, inline CSS and SVG, so it works as an email body), Markdown,
JSON (the facts, for tracing every sentence) or PDF (WeasyPrint, from the same HTML)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import jinja2

from datamonger.briefing.facts import Briefing

FORMATS = ("html", "md", "json", "pdf")

# Inline styles: many email clients drop <style> blocks, so every element carries its own.
STYLES = {
    "body": "margin:0;padding:0;background:#f3f2f1;",
    "page": "max-width:760px;margin:0 auto;padding:24px;background:#ffffff;"
    "font-family:Arial,Helvetica,sans-serif;color:#0b0c0c;font-size:16px;line-height:1.5;",
    "h1": "font-size:28px;margin:0 0 8px 0;",
    "subtitle": "font-size:18px;color:#505a5f;margin:0 0 8px 0;",
    "h2": "font-size:22px;margin:28px 0 8px 0;border-bottom:2px solid #1d70b8;padding-bottom:4px;",
    "h3": "font-size:17px;margin:18px 0 4px 0;",
    "p": "margin:0 0 10px 0;",
    "intro": "margin:0 0 10px 0;color:#505a5f;",
    "small": "font-size:13px;color:#505a5f;margin:0 0 8px 0;",
    "ul": "margin:0 0 10px 0;padding-left:22px;",
    "li": "margin:0 0 6px 0;",
    "plain": "",
    "flag": "border-left:4px solid #d4351c;padding-left:10px;",
    "next": "",
    "chart": "margin:8px 0 16px 0;overflow-x:auto;",
    "link": "color:#1d70b8;",
    "hr": "border:0;border-top:1px solid #b1b4b6;margin:24px 0 12px 0;",
}


@dataclass
class Personal:
    """What makes one copy personal: the greeting and the subscriber's own links."""

    greeting: str | None = None
    subscriber_line: str = ""
    links: dict[str, str] = field(default_factory=dict)  # view, preferences, unsubscribe


_env = jinja2.Environment(
    loader=jinja2.PackageLoader("datamonger.briefing", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)
_md_env = jinja2.Environment(
    loader=jinja2.PackageLoader("datamonger.briefing", "templates"),
    autoescape=False,
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)


def _context(b: Briefing, personal: Personal | None) -> dict[str, Any]:
    p = personal or Personal()
    as_of = dt.date.fromisoformat(b.as_of)
    return {
        "b": b,
        "s": STYLES,
        "prepared": f"{dt.date.today():%d %B %Y}",
        "as_of": f"{as_of.day} {as_of:%B %Y}",
        "greeting": p.greeting,
        "subscriber_line": p.subscriber_line,
        "links": {"view": None, "preferences": None, "unsubscribe": None, **p.links},
    }


def html(b: Briefing, personal: Personal | None = None) -> str:
    return _env.get_template("briefing.html.j2").render(**_context(b, personal))


def markdown(b: Briefing, personal: Personal | None = None) -> str:
    text = _md_env.get_template("briefing.md.j2").render(**_context(b, personal))
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text


def as_json(b: Briefing) -> str:
    return json.dumps(b.to_dict(), indent=2, ensure_ascii=False, default=str) + "\n"


def pdf(b: Briefing, personal: Personal | None = None) -> bytes:
    from weasyprint import HTML

    data = HTML(string=html(b, personal)).write_pdf()
    assert data is not None
    return bytes(data)


def render(b: Briefing, fmt: str, personal: Personal | None = None) -> str | bytes:
    if fmt == "html":
        return html(b, personal)
    if fmt == "md":
        return markdown(b, personal)
    if fmt == "json":
        return as_json(b)
    if fmt == "pdf":
        return pdf(b, personal)
    raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
