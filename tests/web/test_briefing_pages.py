"""The briefing in the workbench, against the real app: the page "view in browser" opens and its
PDF (every role; the LA edition with our own figures from the workbench's returns; no child
identifier), subscribers managed by analysts and administrators (CSRF, one audit row per change),
and the public preferences and unsubscribe pages the emailed links open (signed tokens; one-click
unsubscribe without a session; a forged or stale token gets the one error shape)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from datamonger.briefing import api, delivery, render, tokens
from datamonger.briefing import subscribers as subs
from datamonger.web import audit, create_app
from datamonger.web.routes import PUBLIC, ROUTERS
from datamonger.web.routes.briefing import masked, subscribers_db
from tests.web.browser import chromium, serving
from tests.web.conftest import csrf_from, make_workbench, sign_in
from tests.web.helpers import assert_error

BASE = "https://datamonger.council.example"
FACT = re.compile(r'data-fact="([^"]+)">([^<]*)<')


@pytest.fixture(autouse=True)
def _own_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test has its own config folder: the links' signing secret, calendar, headlines."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for var in ("DATAMONGER_CALENDAR", "DATAMONGER_HEADLINES", "DATAMONGER_SECRET_FILE"):
        monkeypatch.delenv(var, raising=False)


def _db(wb) -> Path:  # type: ignore[no-untyped-def]
    return subscribers_db(wb.config)


def _path(url: str) -> str:
    """An emailed link as the workbench sees it (behind the proxy at BASE)."""
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == BASE
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _child_ids(wb) -> list[str]:  # type: ignore[no-untyped-def]
    return [r["child_id"] for r in wb.rows("SELECT DISTINCT child_id FROM children")]


# --- view in browser ------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["administrator", "analyst", "manager"])
def test_every_role_reads_the_la_edition_with_our_own_figures(wb, as_role, role: str) -> None:  # type: ignore[no-untyped-def]
    c = as_role(role)
    r = c.get("/briefing?edition=la")
    assert r.status_code == 200, r.text[:500]
    la = wb.la()
    assert f"<h1>{la.name}: children&#39;s social care briefing" in r.text
    assert 'data-section="own"' in r.text and 'data-section="validation"' in r.text
    facts = dict(FACT.findall(r.text))
    assert any(f.startswith("own.") for f in facts)
    assert any(f.startswith("validation.") for f in facts)
    assert "/briefing/export.pdf?edition=la&amp;la=" in r.text


def test_the_page_says_what_the_emailed_briefing_says(wb, as_role) -> None:  # type: ignore[no-untyped-def]
    """Sentence for sentence, the same facts as the briefing module's own HTML of that edition."""
    c = as_role("manager")
    for query, built in (
        ("edition=la", api.build("la", la=wb.la_code(), db=wb.config.db)),
        ("edition=national&year=2024", api.build("national", year=2024)),
    ):
        page = c.get(f"/briefing?{query}").text
        assert FACT.findall(page) == FACT.findall(render.html(built)), query
        assert len(FACT.findall(page)) > 20


def test_no_child_identifier_reaches_a_briefing_page(wb, as_role) -> None:  # type: ignore[no-untyped-def]
    ids = _child_ids(wb)
    assert len(ids) > 100
    pattern = re.compile("|".join(re.escape(i) for i in ids))
    c = as_role("manager")
    for url in ("/briefing", "/briefing?edition=la", "/briefing?edition=la&year=2025"):
        r = c.get(url)
        assert r.status_code == 200
        assert not pattern.search(r.text), f"a child id on {url}"
        assert "/children/" not in r.text and "/validation/rules/" not in r.text
    # the PDF is WeasyPrint's rendering of the module's HTML of the same edition, checked here
    b = api.build("la", la=wb.la_code(), db=wb.config.db)
    assert not pattern.search(render.html(b))


def test_national_edition_year_and_date(as_role) -> None:  # type: ignore[no-untyped-def]
    c = as_role("manager")
    r = c.get("/briefing?edition=national&year=2024")
    assert r.status_code == 200
    assert "<h1>Children&#39;s social care: the national picture, 2023-24</h1>" in r.text
    # its charts are inline SVG with ids unique on the page and no inline style (CSP)
    svgs = re.findall(r"<svg.*?</svg>", r.text, re.S)
    assert svgs
    ids = re.findall(r' id="([^"]+)"', r.text)
    assert len(ids) == len(set(ids))
    assert "style=" not in r.text
    dated = c.get("/briefing?edition=national&to=2025-06-30")
    assert dated.status_code == 200 and "Calendar as at 30 June 2025" in dated.text


def test_the_form_alone_and_another_las_edition(wb, as_role) -> None:  # type: ignore[no-untyped-def]
    c = as_role("manager")
    form = c.get("/briefing")
    assert form.status_code == 200
    assert 'name="edition" value="la" checked' in form.text and "data-fact" not in form.text
    assert wb.la().name in form.text
    leeds = c.get("/briefing?edition=la&la=Leeds")
    assert leeds.status_code == 200
    assert "<h1>Leeds: children&#39;s social care briefing" in leeds.text
    assert 'data-section="own"' not in leeds.text
    assert "Our own figures and validation status appear only in" in leeds.text


def test_the_emailed_view_link_opens_the_page(wb, as_role, client) -> None:  # type: ignore[no-untyped-def]
    """The links of an email as `datamonger briefing --send --base-url BASE` writes it."""
    s = subs.add(_db(wb), "Viv", "viv@council.example", "la", la=wb.la_code(), la_name="X")
    b = api.build("la", la=wb.la_code(), year=2025)
    view = delivery.personal(b, s, BASE).links["view"]
    assert view == f"{BASE}/briefing?edition=la&year=2025&la={wb.la_code()}"
    r = as_role("manager").get(_path(view))
    assert r.status_code == 200 and 'data-section="own"' in r.text
    assert f"<h1>{b.title}</h1>" in r.text.replace("&#39;", "'")
    # before signing in, the sign-in form in place of the briefing
    assert_error(client.get(_path(view)), 401, "not_signed_in")
    subs.remove(_db(wb), str(s.id))


@pytest.mark.slow
def test_pdf_of_the_same_edition(as_role) -> None:  # type: ignore[no-untyped-def]
    r = as_role("manager").get("/briefing/export.pdf?edition=national&year=2024")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    assert 'filename="briefing-national-2024.pdf"' in r.headers["content-disposition"]


@pytest.mark.parametrize(
    "query",
    [
        "edition=county",
        "edition=la&year=20x5",
        "edition=la&year=2025&to=2025-06-30",
        "edition=national&to=2025-13-01",
        "edition=la&la=Atlantis",
        "edition=national&year=1999",
        "year=2025&edition=",
    ],
)
def test_bad_choices_get_the_error_shape(as_role, query: str) -> None:  # type: ignore[no-untyped-def]
    c = as_role("analyst")
    assert_error(c.get(f"/briefing?{query}"), 400, "bad_request")
    assert_error(c.get(f"/briefing/export.pdf?{query}"), 400, "bad_request")


def test_no_la_edition_without_an_la(tmp_path: Path) -> None:
    wb = make_workbench(tmp_path, None)
    try:
        c = sign_in(TestClient(create_app(wb.config, wb)), "manager")
        form = c.get("/briefing")
        assert 'value="la" disabled' in form.text and 'value="national" checked' in form.text
        assert_error(c.get("/briefing?edition=la"), 400, "bad_request")
    finally:
        wb.close()


# --- subscribers ----------------------------------------------------------------------------------
def _form(**changes: str) -> dict[str, str]:
    return {
        "name": "Ana Analyst",
        "email": "ana@council.example",
        "role": "analyst",
        "edition": "la",
        "la": "",
        "frequency": "monthly",
    } | changes


def test_analysts_and_administrators_manage_subscribers(wb, as_role) -> None:  # type: ignore[no-untyped-def]
    db = _db(wb)
    before = audit.read(wb.web)
    c = as_role("analyst")
    token = csrf_from(c.get("/subscribers").text)
    r = c.post("/subscribers", data=_form(csrf_token=token), follow_redirects=False)
    assert r.status_code == 303
    (s,) = [x for x in subs.all_subscribers(db) if x.email == "ana@council.example"]
    assert (s.edition, s.la, s.la_name, s.frequency, s.role) == (
        "la",
        wb.la_code(),
        wb.la().name,
        "monthly",
        "analyst",
    )
    listed = c.get(r.headers["location"])
    assert f"Subscriber {s.id} added." in listed.text and "ana@council.example" in listed.text

    # edit every field the form has
    edit = c.get(f"/subscribers/{s.id}")
    assert edit.status_code == 200 and 'value="Ana Analyst"' in edit.text
    r = c.post(
        f"/subscribers/{s.id}",
        data=_form(
            csrf_token=token,
            name="Ana B",
            email="ana.b@council.example",
            role="head of service",
            la="Leeds",
            frequency="quarterly",
        ),
        follow_redirects=False,
    )
    assert r.status_code == 303
    after = subs.get(db, s.id)
    assert after is not None
    assert (after.name, after.email, after.role, after.la_name, after.frequency) == (
        "Ana B",
        "ana.b@council.example",
        "head of service",
        "Leeds",
        "quarterly",
    )
    r = c.post(
        f"/subscribers/{s.id}",
        data=_form(csrf_token=token, edition="national"),
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert subs.get(db, s.id).edition == "national"  # type: ignore[union-attr]

    # an administrator may too, and removes it
    admin = as_role("administrator")
    admin_token = csrf_from(admin.get("/subscribers").text)
    r = admin.post(
        f"/subscribers/{s.id}/remove", data={"csrf_token": admin_token}, follow_redirects=False
    )
    assert r.status_code == 303 and subs.get(db, s.id) is None

    # one audit row per change, after the earlier rows left as they were
    rows = audit.read(wb.web)
    assert rows[len(rows) - len(before) :] == before
    mine = [r for r in rows if r["resource"] == "subscribers" and r not in before]
    assert [(r["action"], r["username"]) for r in reversed(mine)] == [
        ("add_subscriber", "analyst"),
        ("edit_subscriber", "analyst"),
        ("edit_subscriber", "analyst"),
        ("remove_subscriber", "administrator"),
    ]
    first_edit = json.loads(mine[-2]["detail"])
    assert first_edit["subscriber"] == s.id
    assert set(first_edit["changed"]) == {"name", "email", "role", "la", "frequency"}


def test_subscriber_forms_keep_what_was_typed_on_a_mistake(wb, as_role) -> None:  # type: ignore[no-untyped-def]
    c = as_role("analyst")
    token = csrf_from(c.get("/subscribers").text)
    before = audit.read(wb.web)
    bad = c.post("/subscribers", data=_form(csrf_token=token, email="not-an-address"))
    assert_error(bad, 400, "bad_request")
    assert 'value="Ana Analyst"' in bad.text and 'value="not-an-address"' in bad.text
    assert_error(c.post("/subscribers", data=_form(csrf_token=token, la="Atlantis")), 400)
    assert_error(c.post("/subscribers", data=_form(csrf_token=token, frequency="daily")), 400)
    assert_error(c.post("/subscribers", data=_form(csrf_token=token, name=" ")), 400)
    # the same address for the same edition twice
    assert (
        c.post("/subscribers", data=_form(csrf_token=token), follow_redirects=False).status_code
        == 303
    )
    assert_error(c.post("/subscribers", data=_form(csrf_token=token)), 409, "conflict")
    (s,) = [x for x in subs.all_subscribers(_db(wb)) if x.email == "ana@council.example"]
    assert_error(c.post(f"/subscribers/{s.id}", data=_form(csrf_token=token, email="x@")), 400)
    assert subs.get(_db(wb), s.id) == s
    # only the one addition was audited
    rows = audit.read(wb.web)
    assert [r["action"] for r in rows[: len(rows) - len(before)]] == ["add_subscriber"]
    c.post(f"/subscribers/{s.id}/remove", data={"csrf_token": token})


def test_subscriber_changes_need_the_csrf_token(wb, as_role) -> None:  # type: ignore[no-untyped-def]
    c = as_role("analyst")
    assert_error(c.post("/subscribers", data=_form()), 403, "csrf")
    assert_error(c.post("/subscribers", data=_form(csrf_token="forged")), 403, "csrf")
    s = subs.add(_db(wb), "Keep", "keep@council.example", "national")
    assert_error(c.post(f"/subscribers/{s.id}/remove", data={}), 403, "csrf")
    assert_error(c.post(f"/subscribers/{s.id}", data=_form(name="Changed")), 403, "csrf")
    assert subs.get(_db(wb), s.id) == s
    subs.remove(_db(wb), str(s.id))


def test_managers_do_not_see_subscribers(as_role) -> None:  # type: ignore[no-untyped-def]
    c = as_role("manager")
    assert_error(c.get("/subscribers"), 403, "forbidden")
    assert 'href="/subscribers"' not in c.get("/briefing").text
    assert 'href="/briefing"' in c.get("/").text  # in the navigation
    assert 'href="/subscribers"' in as_role("analyst").get("/").text


# --- the public pages of the emailed links -------------------------------------------------------
@pytest.fixture
def subscriber(wb) -> Iterator[subs.Subscriber]:  # type: ignore[no-untyped-def]
    s = subs.add(
        _db(wb),
        "Sam Subscriber",
        "sam@council.example",
        "la",
        "release",
        la=wb.la_code(),
        la_name=wb.la().name,
    )
    yield s
    subs.remove(_db(wb), str(s.id))


def test_only_the_preferences_and_unsubscribe_pages_are_public(app) -> None:  # type: ignore[no-untyped-def]
    briefing = {(m, p) for m, p in PUBLIC if p.startswith("/briefing")}
    assert briefing == {
        ("GET", "/briefing/preferences"),
        ("POST", "/briefing/preferences"),
        ("GET", "/briefing/unsubscribe"),
        ("POST", "/briefing/unsubscribe"),
    }
    assert PUBLIC - briefing == {("GET", "/login"), ("POST", "/login"), ("GET", "/healthz")}
    paths = {r.path for router in ROUTERS for r in router.routes}  # type: ignore[attr-defined]
    assert {p for _, p in briefing} <= paths


def test_emailed_links_open_these_pages_without_signing_in(wb, app, subscriber) -> None:  # type: ignore[no-untyped-def]
    links = tokens.links(BASE, subscriber, edition="la", year="2025", la=wb.la_code())
    anon = TestClient(app)
    prefs = anon.get(_path(links["preferences"]))
    assert prefs.status_code == 200
    assert masked(subscriber.email) == "s•••@council.example"
    assert "s•••@council.example" in prefs.text and "sam@council.example" not in prefs.text
    assert 'name="csrf_token"' in prefs.text
    confirm = anon.get(_path(links["unsubscribe"]))
    assert confirm.status_code == 200 and "Unsubscribe from the briefing" in confirm.text
    # opening the link (as mail scanners do) does not unsubscribe
    assert subs.get(_db(wb), subscriber.id) == subscriber


def test_preferences_change_edition_and_frequency(wb, app, subscriber) -> None:  # type: ignore[no-untyped-def]
    url = _path(tokens.links(BASE, subscriber)["preferences"])
    c = TestClient(app)
    csrf = csrf_from(c.get(url).text)
    r = c.post(
        url,
        data={"csrf_token": csrf, "action": "save", "edition": "national", "frequency": "monthly"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    s = subs.get(_db(wb), subscriber.id)
    assert s is not None and (s.edition, s.frequency, s.la) == ("national", "monthly", None)
    assert "Your choices are saved." in c.get(r.headers["location"]).text
    # back to the LA edition: this workbench's LA
    r = c.post(
        url,
        data={"csrf_token": csrf, "action": "save", "edition": "la", "frequency": "quarterly"},
        follow_redirects=False,
    )
    s = subs.get(_db(wb), subscriber.id)
    assert s is not None and (s.edition, s.la, s.frequency) == ("la", wb.la_code(), "quarterly")
    # unsubscribe from the form, then subscribe again
    c.post(url, data={"csrf_token": csrf, "action": "unsubscribe"})
    assert not subs.get(_db(wb), subscriber.id).active  # type: ignore[union-attr]
    c.post(url, data={"csrf_token": csrf, "action": "resume"})
    assert subs.get(_db(wb), subscriber.id).active  # type: ignore[union-attr]
    rows = [r for r in audit.read(wb.web, None, None) if r["resource"] == "subscribers"][:4]
    assert [r["action"] for r in rows] == [
        "subscriber_resumed",
        "subscriber_unsubscribed",
        "subscriber_saved",
        "subscriber_saved",
    ]
    assert all(r["username"] is None and '"via": "link"' in r["detail"] for r in rows)
    # bad choices and a missing CSRF token
    assert_error(c.post(url, data={"csrf_token": csrf, "action": "save", "edition": "x"}), 400)
    assert_error(c.post(url, data={"csrf_token": csrf, "action": "delete"}), 400)
    assert_error(c.post(url, data={"action": "unsubscribe"}), 403, "csrf")
    assert_error(TestClient(app).post(url, data={"csrf_token": csrf, "action": "unsubscribe"}), 403)
    assert subs.get(_db(wb), subscriber.id).active  # type: ignore[union-attr]


def test_one_click_unsubscribe_needs_no_session_or_csrf_token(wb, app, subscriber) -> None:  # type: ignore[no-untyped-def]
    """What a mail client sends for `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058):
    a POST to the header's address, no cookie, no token but the one in the address."""
    b = api.build("la", la=wb.la_code(), year=2025)
    msg = delivery.message(b, subscriber, "briefing@council.example", BASE)
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = _path(msg["List-Unsubscribe"].strip("<>"))
    r = TestClient(app).post(
        url,
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 200 and "You are unsubscribed" in r.text
    s = subs.get(_db(wb), subscriber.id)
    assert s is not None and not s.active and s.unsubscribed_at is not None
    # again: still fine, and the first date is kept
    again = TestClient(app).post(url, data={"List-Unsubscribe": "One-Click"})
    assert again.status_code == 200
    assert subs.get(_db(wb), subscriber.id) == s
    unsubscribed = audit.read(wb.web, action="subscriber_unsubscribed")
    assert [json.loads(r["detail"])["subscriber"] for r in unsubscribed].count(s.id) == 1
    assert "Subscribe again" in TestClient(app).get(url).text


def test_tampered_and_stale_tokens_get_the_error_shape(wb, app, subscriber) -> None:  # type: ignore[no-untyped-def]
    token = tokens.make(subscriber)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    anon = TestClient(app)
    csrf = csrf_from(anon.get("/login").text)
    for t in (forged, "x", "eyJpZCI6MX0.nonsense"):
        for page in ("preferences", "unsubscribe"):
            assert_error(anon.get(f"/briefing/{page}?token={t}"), 400, "bad_request")
            assert_error(
                anon.post(f"/briefing/{page}?token={t}", data={"csrf_token": csrf}),
                400,
                "bad_request",
            )
    assert_error(anon.get("/briefing/preferences"), 400, "bad_request")  # no token at all
    # genuine, but the address changed since the email was sent: stale
    subs.update(_db(wb), subscriber.id, email="sam.new@council.example")
    assert_error(anon.get(f"/briefing/preferences?token={token}"), 404, "not_found")
    assert_error(anon.post(f"/briefing/unsubscribe?token={token}"), 404, "not_found")
    # genuine, for a subscriber since removed
    ghost = subs.add(_db(wb), "Ghost", "ghost@council.example", "national")
    ghost_token = tokens.make(ghost)
    subs.remove(_db(wb), str(ghost.id))
    assert_error(anon.get(f"/briefing/unsubscribe?token={ghost_token}"), 404, "not_found")
    # and as JSON for a client that asks for it
    r = anon.get(f"/briefing/preferences?token={forged}", headers={"Accept": "application/json"})
    assert_error(r, 400, "bad_request")
    assert subs.get(_db(wb), subscriber.id).active  # type: ignore[union-attr]


def test_no_secret_no_valid_link_and_none_made(app, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Before any link was signed (no secret file), every token is refused, and an anonymous
    visitor does not make the workbench create the secret."""
    secret = tmp_path / "elsewhere" / "briefing_secret"
    monkeypatch.setenv("DATAMONGER_SECRET_FILE", str(secret))
    assert_error(TestClient(app).get("/briefing/preferences?token=abc.def"), 400)
    assert not secret.exists()


# --- in a real browser ----------------------------------------------------------------------------
@pytest.mark.browser
def test_in_a_browser_read_the_briefing_and_unsubscribe(tmp_path: Path) -> None:
    """A manager chooses the national edition with the keyboard and reads it; a subscriber opens
    the preferences link, changes the frequency and unsubscribes. No CSP violation, no script error."""
    wb = make_workbench(tmp_path / "wb", None)
    s = subs.add(_db(wb), "Sam", "sam@council.example", "national", "release")
    try:
        with serving(wb) as server, chromium() as browser:
            links = tokens.links(server, s)
            problems: list[str] = []
            page = browser.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(server + "/login?next=/briefing")
            page.fill("#username", "manager")
            page.fill("#password", "correct horse battery staple")
            page.press("#password", "Enter")
            page.wait_for_url(server + "/briefing")
            page.focus("#edition-national")
            page.keyboard.press("Space")
            page.fill("#year", "2024")
            page.press("#year", "Enter")
            page.wait_for_selector("h1:has-text('the national picture, 2023-24')", timeout=60_000)
            assert page.locator("[data-fact]").count() > 20
            assert page.locator("svg[role=img]").count() >= 1
            # a subscriber, with no account, from the email
            anon = browser.new_page()
            anon.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            anon.goto(links["preferences"])
            anon.select_option("#frequency", "quarterly")
            anon.click("text=Save my choices")
            anon.wait_for_selector("text=Your choices are saved.")
            anon.goto(links["unsubscribe"])
            anon.click("button:has-text('Unsubscribe')")
            anon.wait_for_selector("h1:has-text('You are unsubscribed')")
        assert not problems, problems
        after = subs.get(_db(wb), s.id)
        assert after is not None and after.frequency == "quarterly" and not after.active
    finally:
        wb.close()
