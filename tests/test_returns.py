import datetime as dt

from datamonger.returns import cin, collection_period, collection_year_of, label, ssda903


def test_ssda903_has_the_twelve_tables_with_their_years() -> None:
    assert len(ssda903.TABLES) == 12
    assert [t.name for t in ssda903.tables_in_year(2023)].count("SWEpisodes") == 0
    assert "SWEpisodes" in [t.name for t in ssda903.tables_in_year(2024)]
    assert "DoLo" not in [t.name for t in ssda903.tables_in_year(2026)]
    assert "DoLo" in [t.name for t in ssda903.tables_in_year(2027)]
    # header sets are what identifies a CSV: they must be distinct
    assert len(ssda903.BY_HEADER) == 12


def test_collection_year_arithmetic() -> None:
    assert collection_period(2025) == (dt.date(2024, 4, 1), dt.date(2025, 3, 31))
    assert collection_year_of(dt.date(2024, 4, 1)) == 2025
    assert collection_year_of(dt.date(2025, 3, 31)) == 2025
    assert label(2027) == "2026/27"
    assert cin.EPISODES.keys == ("CINdetailsID",)
