from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from datamonger.briefing import calendar
from datamonger.briefing import headlines as hl


def test_shipped_calendar_window() -> None:
    w = calendar.window(calendar.load(), dt.date(2025, 12, 1))
    recent = {o.release.id for o in w.recent}
    upcoming = {o.release.id for o in w.upcoming}
    assert {"cin", "cla"} <= recent
    assert "csww" in upcoming
    cin = next(o for o in w.recent if o.release.id == "cin")
    assert cin.covers == "year ending 31 March 2025" and "usual month" in cin.when


def test_user_calendar_merged_over_shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mine = tmp_path / "calendar.csv"
    mine.write_text(
        "id,dates,active,title,kind,months,topics\n"
        "cin,2025-11-13,,,,,\n"
        "ehcp,,no,,,,\n"
        "panel,,,Regional benchmarking panel,publication,1,Referrals and children in need\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("DATAMONGER_CALENDAR", str(mine))
    releases = {r.id: r for r in calendar.load()}
    assert "ehcp" not in releases and "panel" in releases
    assert releases["cin"].dates == (dt.date(2025, 11, 13),)
    assert releases["cin"].title == "Children in need"  # empty cells keep the shipped value
    occ = calendar.publication(list(releases.values()), "Child protection", 2025)
    assert occ is not None and occ.exact and occ.when == "13 November 2025"
    assert not calendar.is_published(
        list(releases.values()), "Child protection", 2025, dt.date(2025, 11, 12)
    )


def test_bad_calendar_row_is_a_clear_error(tmp_path: Path) -> None:
    mine = tmp_path / "calendar.csv"
    mine.write_text("id,months\ncin,13\n", encoding="utf-8")
    with pytest.raises(calendar.CalendarError, match="cin"):
        calendar.load(mine)


def test_user_headlines_can_remove_and_add(tmp_path: Path) -> None:
    mine = tmp_path / "headlines.csv"
    mine.write_text(
        "id,key,topic,short,kind\nreferrals,,,,\n"
        "absence,csww_indicators:absence_rate_fte,Social work workforce,Absence,percent\n",
        encoding="utf-8",
    )
    ids = {h.id for h in hl.load(mine)}
    assert "referrals" not in ids and "absence" in ids and "rereferrals" in ids
