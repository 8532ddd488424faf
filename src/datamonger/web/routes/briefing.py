"""The briefing in the workbench: the page "view in browser" opens (and its PDF), the subscribers
an analyst or administrator manages, and the two public pages the links in sent emails open
(preferences and unsubscribe).

Everything calls the briefing module (`datamonger.briefing`): `build` and its renderers for the
briefing, `subscribers` for the list, `tokens` for the signed links. The page shows the same facts,
sentence for sentence, as the emailed HTML, laid out with the workbench's own styles (the emailed
HTML carries inline styles, which the workbench's Content-Security-Policy does not allow).

Subscribers live in `X.subscribers.duckdb` beside the returns database, a file of their own that is
opened only for the moment of each change, so `datamonger briefing --send --subscribers
X.subscribers.duckdb` can run while the workbench does.

The briefing is aggregated (counts, rates, rule codes; never a child's identifier), so managers
read it too. Only `/briefing/preferences` and `/briefing/unsubscribe` answer without signing in:
the signed token in their address is the authorisation (see `routes.PUBLIC`).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from datamonger.briefing import api, render, tokens
from datamonger.briefing import subscribers as subs
from datamonger.briefing.calendar import CalendarError
from datamonger.briefing.facts import Briefing
from datamonger.briefing.national import NoFigures
from datamonger.briefing.paths import secret_file
from datamonger.web import audit
from datamonger.web.auth import User, need
from datamonger.web.config import WebConfig, private_duckdb
from datamonger.web.errors import WebError
from datamonger.web.pages import inline_svg, page

log = logging.getLogger("datamonger.web")
router = APIRouter()


def subscribers_db(config: WebConfig) -> Path:
    """`X.subscribers.duckdb` beside the returns database `X.duckdb`, readable by its owner only
    (0600: names and email addresses)."""
    private_duckdb(config.subscribers_db)
    return config.subscribers_db


# --- which briefing ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Wanted:
    edition: str
    la: Any  # the benchmarks' LA, for the LA edition
    year: int | None
    to: dt.date | None
    own: bool  # the LA is this workbench's: our own figures from its returns database

    def key(self) -> tuple[Any, ...]:
        return (self.edition, self.la.number if self.la else None, self.year, self.to, self.own)

    def query(self) -> str:
        q = {"edition": self.edition, "la": self.la.number if self.la else None}
        q |= {"year": self.year, "to": self.to.isoformat() if self.to else None}
        return urlencode({k: v for k, v in q.items() if v is not None})

    def filename(self) -> str:
        who = f"la-{self.la.number}" if self.la else "national"
        when = self.to.isoformat() if self.to else (self.year or "latest")
        return f"briefing-{who}-{when}.pdf"


def _wanted(
    wb: Any, edition: str | None, la: str | None, year: str | None, to: str | None
) -> Wanted:
    if edition not in subs.EDITIONS:
        raise WebError("bad_request", "The edition is national or la.")
    year, to = (year or "").strip(), (to or "").strip()
    if year and to:
        raise WebError("bad_request", "Give a year or a date, not both.")
    year_no = None
    if year:
        if not (year.isdigit() and len(year) == 4):
            raise WebError("bad_request", "The year is four digits, such as 2025.")
        year_no = int(year)
    to_date = None
    if to:
        try:
            to_date = dt.date.fromisoformat(to)
        except ValueError:
            raise WebError("bad_request", "The date is written YYYY-MM-DD.") from None
    if edition == "national":
        return Wanted("national", None, year_no, to_date, own=False)
    home = wb.la()
    target = home
    if la and la.strip():
        from datamonger.benchmarks.areas import UnknownArea

        try:
            with wb.published() as pub:
                target = pub.areas.find(la)
        except UnknownArea as exc:
            raise WebError("bad_request", str(exc)) from None
    if target is None:
        raise WebError(
            "bad_request",
            "This workbench does not know its LA yet, so it has no LA edition.",
            "An administrator sets the LA under Settings (or load a return that names it).",
        )
    own = home is not None and target.number == home.number
    return Wanted("la", target, year_no, to_date, own=own)


def _build(wb: Any, w: Wanted) -> Briefing:
    """The briefing, kept for the day and for what is loaded (the own figures and validation
    status come from the returns database; the calendar is relative to today)."""
    key = ("briefing", w.key(), wb.stamp(), dt.date.today())

    def make() -> Briefing:
        with wb.published() as pub:
            return api.build(
                w.edition,
                la=w.la.number if w.la else None,
                year=w.year,
                to=w.to,
                db=wb.config.db if w.own else None,
                published=pub,
            )

    try:
        b: Briefing = wb.cache.get(key, make)
    except NoFigures as exc:
        raise WebError("bad_request", str(exc)) from None
    except CalendarError as exc:  # the council's own calendar file, not the request
        raise WebError(
            "unavailable", str(exc), "Correct the calendar file named, then try again."
        ) from None
    return b


def _form(wb: Any, w: Wanted | None, year: str | None, to: str | None) -> dict[str, Any]:
    home = wb.la()
    return {
        "home": home,
        "edition": w.edition if w else ("la" if home else "national"),
        "year": (year or "").strip(),
        "to": (to or "").strip(),
    }


EditionQ = Annotated[str | None, Query(max_length=20)]
LaQ = Annotated[str | None, Query(max_length=100)]
YearQ = Annotated[str | None, Query(max_length=10)]
ToQ = Annotated[str | None, Query(max_length=10)]


@router.get("/briefing", response_class=HTMLResponse)
def briefing(
    request: Request,
    user: Annotated[User, Depends(need("view", "la"))],
    edition: EditionQ = None,
    la: LaQ = None,
    year: YearQ = None,
    to: ToQ = None,
) -> Response:
    """The form; with an edition, the briefing below it (the emailed "view in browser" link:
    `/briefing?edition=la&year=2025&la=383`)."""
    wb = request.app.state.dm
    w = _wanted(wb, edition, la, year, to) if edition is not None else None
    b = _build(wb, w) if w else None
    as_of = dt.date.fromisoformat(b.as_of) if b else None
    return page(
        request,
        "briefing.html",
        title=b.title if b else "Briefing",
        b=b,
        w=w,
        svg=inline_svg,
        as_of=f"{as_of.day} {as_of:%B %Y}" if as_of else None,
        **_form(wb, w, year, to),
    )


@router.get("/briefing/export.pdf")
def briefing_pdf(
    request: Request,
    user: Annotated[User, Depends(need("export", "la"))],
    edition: EditionQ = None,
    la: LaQ = None,
    year: YearQ = None,
    to: ToQ = None,
) -> Response:
    """The same edition as a PDF (WeasyPrint's rendering of the emailed HTML)."""
    wb = request.app.state.dm
    w = _wanted(wb, edition, la, year, to)
    b = _build(wb, w)
    data = wb.cache.get(
        ("briefing.pdf", w.key(), wb.stamp(), dt.date.today()), lambda: render.pdf(b)
    )
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{w.filename()}"'},
    )


# --- subscribers, managed by analysts and administrators ----------------------------------------
@dataclass
class Entry:
    """What the add and edit forms send."""

    name: str = ""
    email: str = ""
    role: str = ""
    edition: str = "la"
    la: str = ""
    frequency: str = "release"


def _entry(wb: Any, e: Entry) -> dict[str, Any]:
    """The form's values checked, as the briefing's subscriber functions take them."""
    if not e.name.strip():
        raise WebError("bad_request", "Give the subscriber's name.")
    if e.edition not in subs.EDITIONS:
        raise WebError("bad_request", "The edition is national or la.")
    if e.frequency not in subs.FREQUENCIES:
        raise WebError("bad_request", f"The frequency is one of {', '.join(subs.FREQUENCIES)}.")
    la_number = la_name = None
    if e.edition == "la":
        target = wb.la()
        if e.la.strip():
            from datamonger.benchmarks.areas import UnknownArea

            try:
                with wb.published() as pub:
                    target = pub.areas.find(e.la)
            except UnknownArea as exc:
                raise WebError("bad_request", str(exc)) from None
        if target is None:
            raise WebError("bad_request", "Give the LA for the LA edition.")
        la_number, la_name = target.number, target.name
    return {
        "name": e.name.strip(),
        "email": e.email.strip(),
        "role": e.role.strip() or None,
        "edition": e.edition,
        "la": la_number,
        "la_name": la_name,
        "frequency": e.frequency,
    }


def _same(
    db: Path, values: dict[str, Any], other_than: int | None = None
) -> subs.Subscriber | None:
    """Another subscriber with this address and edition (and LA)."""
    for s in subs.all_subscribers(db):
        if (
            s.id != other_than
            and s.email.lower() == values["email"].lower()
            and s.edition == values["edition"]
            and (s.la or None) == values["la"]
        ):
            return s
    return None


def _subscribers_page(
    request: Request, status: int = 200, error: WebError | None = None, entry: Entry | None = None
) -> Response:
    wb = request.app.state.dm
    home = wb.la()
    return page(
        request,
        "subscribers.html",
        status=status,
        title="Briefing subscribers",
        subscribers=subs.all_subscribers(subscribers_db(wb.config)),
        entry=entry or Entry(edition="la" if home else "national", la=home.name if home else ""),
        home=home,
        error=error,
        editions=subs.EDITIONS,
        frequencies=subs.FREQUENCIES,
        db_file=subscribers_db(wb.config),
        done=request.query_params.get("done"),
    )


NameF = Annotated[str, Form(max_length=100)]
EmailF = Annotated[str, Form(max_length=254)]
RoleF = Annotated[str, Form(max_length=40)]
EditionF = Annotated[str, Form(max_length=20)]
LaF = Annotated[str, Form(max_length=100)]
FrequencyF = Annotated[str, Form(max_length=20)]


@router.get("/subscribers", response_class=HTMLResponse)
def subscribers(
    request: Request, user: Annotated[User, Depends(need("view", "subscribers"))]
) -> Response:
    return _subscribers_page(request)


@router.post("/subscribers", response_class=HTMLResponse)
def add_subscriber(
    request: Request,
    user: Annotated[User, Depends(need("edit", "subscribers"))],
    name: NameF = "",
    email: EmailF = "",
    role: RoleF = "",
    edition: EditionF = "la",
    la: LaF = "",
    frequency: FrequencyF = "release",
) -> Response:
    wb = request.app.state.dm
    db = subscribers_db(wb.config)
    entry = Entry(name, email, role, edition, la, frequency)
    try:
        values = _entry(wb, entry)
        same = _same(db, values)
        if same is not None:
            raise WebError(
                "conflict",
                f"{same.email} already receives this edition (subscriber {same.id}).",
                "Change that subscriber instead.",
            )
        s = subs.add(db, **values)
    except subs.SubscriberError as exc:
        return _subscribers_page(request, 400, WebError("bad_request", str(exc)), entry)
    except WebError as err:
        return _subscribers_page(request, err.status, err, entry)
    audit.record(wb.web, request, user, "add_subscriber", "subscribers", _about(s))
    return RedirectResponse(f"/subscribers?done=added-{s.id}", status_code=303)


def _about(s: subs.Subscriber, **more: Any) -> dict[str, Any]:
    """What the audit log keeps of a subscriber change."""
    return {"subscriber": s.id, "email": s.email, "edition": s.edition, "la": s.la, **more}


def _get(db: Path, subscriber_id: int) -> subs.Subscriber:
    s = subs.get(db, subscriber_id) if db.exists() else None
    if s is None:
        raise WebError("not_found", f"There is no subscriber {subscriber_id}.")
    return s


def _edit_page(
    request: Request,
    s: subs.Subscriber,
    status: int = 200,
    error: WebError | None = None,
    entry: Entry | None = None,
) -> Response:
    entry = entry or Entry(s.name, s.email, s.role or "", s.edition, s.la_name or "", s.frequency)
    return page(
        request,
        "subscribers_edit.html",
        status=status,
        title=f"Subscriber {s.id}",
        s=s,
        entry=entry,
        home=request.app.state.dm.la(),
        error=error,
        editions=subs.EDITIONS,
        frequencies=subs.FREQUENCIES,
    )


@router.get("/subscribers/{subscriber_id}", response_class=HTMLResponse)
def subscriber(
    request: Request,
    subscriber_id: int,
    user: Annotated[User, Depends(need("view", "subscribers"))],
) -> Response:
    wb = request.app.state.dm
    return _edit_page(request, _get(subscribers_db(wb.config), subscriber_id))


@router.post("/subscribers/{subscriber_id}", response_class=HTMLResponse)
def change_subscriber(
    request: Request,
    subscriber_id: int,
    user: Annotated[User, Depends(need("edit", "subscribers"))],
    name: NameF = "",
    email: EmailF = "",
    role: RoleF = "",
    edition: EditionF = "la",
    la: LaF = "",
    frequency: FrequencyF = "release",
) -> Response:
    wb = request.app.state.dm
    db = subscribers_db(wb.config)
    before = _get(db, subscriber_id)
    entry = Entry(name, email, role, edition, la, frequency)
    try:
        values = _entry(wb, entry)
        same = _same(db, values, other_than=subscriber_id)
        if same is not None:
            raise WebError(
                "conflict",
                f"{same.email} already receives this edition (subscriber {same.id}).",
                "Remove one of the two, or choose another edition.",
            )
        # (a blank role clears it: `update` leaves alone what is None)
        after = subs.update(db, subscriber_id, **(values | {"role": values["role"] or ""}))
    except subs.SubscriberError as exc:
        return _edit_page(request, before, 400, WebError("bad_request", str(exc)), entry)
    except WebError as err:
        return _edit_page(request, before, err.status, err, entry)
    old, new = before.to_dict(), after.to_dict()
    changed = {k: new[k] for k in ("name", "email", "role", "edition", "la", "frequency")}
    changed = {k: v for k, v in changed.items() if (old[k] or None) != (v or None)}
    if changed:
        audit.record(
            wb.web, request, user, "edit_subscriber", "subscribers", _about(after, changed=changed)
        )
    return RedirectResponse(f"/subscribers?done=saved-{subscriber_id}", status_code=303)


@router.post("/subscribers/{subscriber_id}/remove")
def remove_subscriber(
    request: Request,
    subscriber_id: int,
    user: Annotated[User, Depends(need("edit", "subscribers"))],
) -> Response:
    wb = request.app.state.dm
    db = subscribers_db(wb.config)
    s = _get(db, subscriber_id)
    subs.remove(db, str(s.id))
    audit.record(wb.web, request, user, "remove_subscriber", "subscribers", _about(s))
    return RedirectResponse(f"/subscribers?done=removed-{s.id}", status_code=303)


# --- the public pages the emailed links open ----------------------------------------------------
TokenQ = Annotated[str, Query(min_length=1, max_length=1000)]


def _by_token(wb: Any, token: str) -> subs.Subscriber:
    """The subscriber a link's token names, or the one error shape: 400 for a token that is not
    genuine (cut short, changed, forged), 404 for a genuine one whose subscriber was removed or
    whose email address changed since the email was sent."""
    bad = WebError(
        "bad_request",
        "This link is not valid: it may have been cut short or changed.",
        "Open the link from the email again, or ask the team that sends the briefing.",
    )
    if not secret_file().exists():  # no link was ever signed here: nothing to check against
        raise bad
    try:
        if tokens.verify(token) is None:
            raise bad
        found = tokens.subscriber_for(token, subscribers_db(wb.config))
    except tokens.SecretError:
        log.exception("the briefing's link secret cannot be used")
        raise WebError(
            "unavailable",
            "Subscription links cannot be checked just now.",
            "Tell the team that sends the briefing; the details are in the server log.",
        ) from None
    if found is None:
        raise WebError(
            "not_found",
            "This link no longer names a subscription: it was removed, or its email address "
            "changed after the email was sent.",
            "Ask the team that sends the briefing.",
        )
    return found


def masked(email: str) -> str:
    """a•••@council.gov.uk: enough for its owner to recognise, little for anyone sent a forward."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}"


def _preferences_page(request: Request, s: subs.Subscriber, token: str, **extra: Any) -> Response:
    home = request.app.state.dm.la()
    la_name = s.la_name or (home.name if home else None)
    return page(
        request,
        "briefing_preferences.html",
        title="Your briefing subscription",
        s=s,
        email=masked(s.email),
        token=token,
        la_name=la_name,
        frequencies=subs.FREQUENCIES,
        **extra,
    )


@router.get("/briefing/preferences", response_class=HTMLResponse)
def preferences(request: Request, token: TokenQ) -> Response:
    wb = request.app.state.dm
    s = _by_token(wb, token)
    return _preferences_page(request, s, token, saved=request.query_params.get("saved"))


@router.post("/briefing/preferences")
async def save_preferences(
    request: Request,
    token: TokenQ,
    action: Annotated[str, Form(max_length=20)] = "save",
    edition: EditionF = "",
    frequency: FrequencyF = "",
) -> Response:
    """Change edition or frequency, unsubscribe or subscribe again. A form on our own page, so it
    carries the CSRF token like every other form (bound to the visitor's cookie before sign-in)."""
    wb = request.app.state.dm
    await wb.accounts.check_csrf(request)
    s = _by_token(wb, token)
    db = subscribers_db(wb.config)
    if action == "save":
        if edition not in subs.EDITIONS or frequency not in subs.FREQUENCIES:
            raise WebError(
                "bad_request",
                f"Choose the national or LA edition, and one of {', '.join(subs.FREQUENCIES)}.",
            )
        home = wb.la()
        if edition == "la" and not s.la:
            # a national subscriber asking for the LA edition: this workbench's LA
            if home is None:
                raise WebError("bad_request", "There is no LA edition to choose here.")
            after = subs.update(
                db, s.id, edition="la", la=home.number, la_name=home.name, frequency=frequency
            )
        else:
            found = tokens.update_preferences(token, db, edition=edition, frequency=frequency)
            assert found is not None
            after = found
        done = "saved"
    elif action in ("unsubscribe", "resume"):
        done = "unsubscribed" if action == "unsubscribe" else "resumed"
        after = s
        if s.active == (action == "unsubscribe"):  # (not again: it would move the date)
            changed = (
                tokens.apply_unsubscribe(token, db)
                if action == "unsubscribe"
                else tokens.update_preferences(token, db, active=True)
            )
            assert changed is not None
            after = changed
    else:
        raise WebError("bad_request", "The action is save, unsubscribe or resume.")
    if after != s:
        audit.record(
            wb.web,
            request,
            None,
            f"subscriber_{done}",
            "subscribers",
            _about(after, frequency=after.frequency, active=after.active, via="link"),
        )
    return RedirectResponse(
        f"/briefing/preferences?{urlencode({'token': token, 'saved': done})}", status_code=303
    )


@router.get("/briefing/unsubscribe", response_class=HTMLResponse)
def unsubscribe_form(request: Request, token: TokenQ) -> Response:
    """Asks to confirm: opening a link must not unsubscribe (mail scanners open links too)."""
    wb = request.app.state.dm
    s = _by_token(wb, token)
    return page(
        request,
        "briefing_unsubscribe.html",
        title="Unsubscribe from the briefing",
        s=s,
        email=masked(s.email),
        token=token,
        done=False,
    )


@router.post("/briefing/unsubscribe", response_class=HTMLResponse)
def unsubscribe(request: Request, token: TokenQ) -> Response:
    """Unsubscribe: the confirm button above, and the one-click POST (RFC 8058) a mail client sends
    for the `List-Unsubscribe-Post: List-Unsubscribe=One-Click` header of each email.

    No session and no CSRF token are asked for, on purpose: a mail client sends this POST itself,
    with no cookie and no page to take a token from, so requiring either would break one-click
    unsubscribing. CSRF guards requests that ride on a browser's ambient credentials (the session
    cookie); this one uses none. The signed token in the address is the whole authorisation: only
    the email's recipient has it, it names one subscription, and all it can do is unsubscribe that
    subscription (which anyone holding the email could do anyway). The body
    (`List-Unsubscribe=One-Click`) is not read."""
    wb = request.app.state.dm
    after = s = _by_token(wb, token)
    if s.active:  # (unsubscribing again would overwrite the date it was first done)
        found = tokens.apply_unsubscribe(token, subscribers_db(wb.config))
        assert found is not None
        after = found
        audit.record(
            wb.web,
            request,
            None,
            "subscriber_unsubscribed",
            "subscribers",
            _about(after, via="link"),
        )
    return page(
        request,
        "briefing_unsubscribe.html",
        title="Unsubscribed from the briefing",
        s=after,
        email=masked(after.email),
        token=token,
        done=True,
    )
