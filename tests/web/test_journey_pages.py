"""The child's journey page and the recording checks pages, over the synthetic LA: what each role
sees, that child-level views are audited, and that every issue of a child is on its timeline."""

from __future__ import annotations

import html
import re

from tests.web.conftest import audit_rows
from tests.web.helpers import assert_error


def _busiest_child(wb) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    row = wb.web.one(
        "SELECT child, count(*) AS n FROM validation_issues WHERE child IS NOT NULL "
        "GROUP BY child ORDER BY n DESC, child LIMIT 1"
    )
    return row["child"], int(row["n"])


def test_journey_shows_both_returns_and_pins_every_issue(wb, as_role) -> None:  # type: ignore[no-untyped-def]
    c = as_role("analyst")
    child, n = _busiest_child(wb)
    before = len(audit_rows(wb))
    r = c.get(f"/children/{child}")
    assert r.status_code == 200
    text = r.text
    assert 'id="timeline"' in text and "Journey" in text
    # every issue of the child is pinned on the timeline, with the rule's message
    issues = wb.web.all("SELECT rule, message FROM validation_issues WHERE child = ?", [child])
    timeline = text[text.index('id="timeline"') : text.index("Records in the returns")]
    assert timeline.count('<li><span class="tag tag--') == n
    for i in issues:
        assert html.escape(i["message"]) in timeline, i["rule"]
    assert f"{n} validation issue" in text
    # the picture has a text alternative, and the table is on the page
    assert re.search(r'<img src="data:image/svg\+xml;base64,[^"]+" alt="Timeline from ', text)
    new = audit_rows(wb)[before:]
    assert len(new) == 1 and new[0]["detail"]["children"] == [child]


def test_journey_puts_a_looked_after_childs_records_in_date_order(wb, as_role) -> None:  # type: ignore[no-untyped-def]
    c = as_role("analyst")
    child = wb.rows(
        "SELECT e.CHILD AS c FROM ssda903_episodes e JOIN cin_children k ON k.LAchildID = e.CHILD "
        "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
    )[0]["c"]
    text = c.get(f"/children/{child}").text
    kinds = re.findall(r'<tr data-kind="([a-z_0-9]+)"', text)
    assert "episode" in kinds and "referral" in kinds  # both returns on one timeline
    dates = re.findall(r'<tr data-kind="[a-z_0-9]+"[^>]*>\s*<td>(\d{4}-\d{2}-\d{2})</td>', text)
    assert dates == sorted(dates) and len(dates) > 3


def test_managers_never_see_a_journey(wb, as_role) -> None:  # type: ignore[no-untyped-def]
    c = as_role("manager")
    child, _ = _busiest_child(wb)
    assert_error(c.get(f"/children/{child}"), 403, "forbidden")
    assert_error(c.get("/recording/nfa_same_day/children"), 403, "forbidden")


def test_recording_page_counts_for_managers_children_for_analysts(wb, as_role) -> None:  # type: ignore[no-untyped-def]
    manager = as_role("manager").get("/recording")
    assert manager.status_code == 200
    assert 'id="recording"' in manager.text and "Published between" in manager.text
    assert "/children" not in manager.text
    ids = [r["c"] for r in wb.rows("SELECT DISTINCT LAchildID AS c FROM cin_children")]
    assert not any(i in manager.text for i in ids)

    analyst = as_role("analyst")
    page = analyst.get("/recording")
    links = re.findall(r'href="(/recording/[a-z_0-9]+/children\?year=\d+)"', page.text)
    assert links, "no check with records behind it in the synthetic LA"
    before = len(audit_rows(wb))
    listing = analyst.get(links[0])
    assert listing.status_code == 200
    shown = re.findall(r'<td><a href="/children/([^"]+)">', listing.text)
    assert shown
    row = audit_rows(wb)[before:]
    assert len(row) == 1
    detail = row[0]["detail"]
    assert detail["page"] == "recording check children" and detail["children_count"] == len(
        set(shown)
    )
    # each child in the list opens on their journey
    assert analyst.get(f"/children/{shown[0]}").status_code == 200


def test_a_journey_of_one_record_is_drawn() -> None:
    import base64
    import datetime as dt

    import pyarrow as pa

    from datamonger.indicators.journey import EVENT_SCHEMA
    from datamonger.reports.charts.journey import journey_svg

    day = dt.date(2024, 4, 1)
    one = {f.name: None for f in EVENT_SCHEMA} | {
        "kind": "episode", "label": "Looked-after episode", "start_date": day, "years": [2025],
        "issues": 0,
    }  # fmt: skip
    drawn = journey_svg(pa.Table.from_pylist([one], schema=EVENT_SCHEMA), pa.table({"date": [day]}))
    assert drawn is not None
    svg = base64.b64decode(drawn["src"].split(",", 1)[1]).decode()
    assert svg.startswith("<svg") and "Looked-after episode" in svg
    assert "1 dated records" in drawn["alt"] and "validation issues marked" in drawn["alt"]


def test_records_behind_a_check_are_cached_like_the_figures(wb) -> None:  # type: ignore[no-untyped-def]
    year = max(wb.years())
    first = wb.recording_children("referred_twice_in_a_week", year)
    assert wb.recording_children("referred_twice_in_a_week", year) is first
    figures = {f.id: f for f in wb.recording(year)}
    assert first.num_rows == figures["referred_twice_in_a_week"].flagged
