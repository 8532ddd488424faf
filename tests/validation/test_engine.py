"""The engine's behaviour beyond single rules: skipped reasons, failing rules, values, exit codes."""

from __future__ import annotations

import duckdb
import pytest

from datamonger.store import Store
from datamonger.validation import engine, prepare, registry
from datamonger.validation.fixtures import load_rows
from datamonger.validation.rule import RuleDecl, parse_rows, rule
from datamonger.validation.templates import query

HEADER = parse_rows(
    "CHILD=1 SEX=M DOB=01/06/2010 ETHNIC=WBRI", "CHILD=2 SEX=X DOB=01/06/2011 ETHNIC=wbri"
)


def _store(**tables: list[str]) -> Store:
    store = Store(":memory:")
    rows = {"Header": HEADER, **{t: parse_rows(*r) for t, r in tables.items()}}
    load_rows(store, "ssda903", 2027, rows)
    return store


def test_issue_carries_values_as_written_and_the_dfe_message() -> None:
    with _store() as store:
        report = engine.validate(store, "ssda903", 2027, rules=["101", "103"])
    assert [(i.rule, i.line, i.child, i.values) for i in report.issues] == [
        ("101", 3, "2", {"SEX": "X"})
    ]
    issue = report.issues[0]
    assert issue.message == "The child or young person’s reported sex is not valid."
    assert (issue.table, issue.file, issue.severity, issue.fields) == (
        "Header",
        "Header.csv",
        "error",
        ("SEX",),
    )
    assert report.exit_code == 1


def test_overlapping_periods_report_both_rows() -> None:
    with _store(
        Missing=["MIS_START=01/05/2026 MIS_END=01/07/2026", "MIS_START=01/06/2026"]
    ) as store:
        report = engine.validate(store, "ssda903", 2027, rules=["574"])
    assert [(i.table, i.line) for i in report.issues] == [("Missing", 2), ("Missing", 3)]


def test_rule_needing_last_year_is_skipped_with_the_reason(monkeypatch) -> None:
    decl = rule(
        "202",
        query(
            "SELECT 'Header' AS \"table\", source_file, source_line, CHILD_raw AS child FROM Header_last",
            "Header",
        ),
        needs=("previous",),
    )
    _patch(monkeypatch, decl)
    with _store() as store:
        report = engine.validate(store, "ssda903", 2027, rules=["202"])
        assert [(s.rule, s.category) for s in report.skipped] == [("202", "skipped")]
        assert "last year" in report.skipped[0].reason
        load_rows(store, "ssda903", 2026, {"Header": parse_rows("CHILD=9")}, group=3)
        report = engine.validate(store, "ssda903", 2027, rules=["202"])
        assert not report.skipped and report.rules_run == [("ssda903", 2027, "202")]


def test_rules_needing_providers_or_postcodes_are_skipped_without_them(monkeypatch) -> None:
    _patch(monkeypatch, rule("1008", query("SELECT 1", "Episodes"), needs=("providers",)))
    with _store() as store:
        report = engine.validate(store, "ssda903", 2027, rules=["1008"], postcodes=None)
    assert report.skipped[0].reason.startswith("needs Ofsted")


def test_a_rule_that_raises_is_reported_as_rule_failed_and_others_still_run(monkeypatch) -> None:
    broken = rule("233", query('SELECT no_such_column FROM "Episodes"', "Episodes"))
    _patch(monkeypatch, broken)
    with _store() as store:
        report = engine.validate(store, "ssda903", 2027, rules=["101", "233"])
    assert [(s.rule, s.category) for s in report.skipped] == [("233", "rule_failed")]
    assert [i.rule for i in report.issues] == ["101"]
    assert report.exit_code == 2
    assert report.summary()["rules_failed"] == 1


def test_postcodes_give_placement_la_and_distance() -> None:
    eps = ["DECOM=01/05/2026 LS=C2 HOME_POST=SW1A_1AA PL_POST=m1_1ae PLACE_PROVIDER=PR1"]
    with _store(Episodes=eps) as store, prepare.Workspace(store.con) as ws:
        con = ws.cursor()
        la = prepare.ons_la("352")
        prepare.prepare(con, "ssda903", 2027, postcodes=prepare.POSTCODES, la=la, store=ws.store)
        row = con.execute('SELECT PL_LA, PL_LOCATION, PL_DISTANCE FROM "Episodes"').fetchone()
    assert row == ("E08000003", "IN", 162.9)


def test_a_postcode_directory_without_keys_gives_the_same_placements(tmp_path) -> None:
    """The packaged directory is looked up by `postcode_key`; a directory of another make, with
    postcodes only, is keyed as it is read and gives the same LA, location and distance."""
    eps = [
        "DECOM=01/05/2026 LS=C2 HOME_POST=SW1A_1AA PL_POST=m1_1ae PLACE_PROVIDER=PR1",
        "DECOM=02/05/2026 LS=C2 HOME_POST=M1_1AE PL_POST=QQ1_1QQ PLACE_PROVIDER=PR1",
    ]
    plain = tmp_path / "plain.parquet"
    duckdb.connect().execute(
        f"COPY (SELECT * EXCLUDE (postcode_key) FROM read_parquet('{prepare.POSTCODES}') "
        f"WHERE postcode IN ('SW1A 1AA', 'M1 1AE')) TO '{plain}' (FORMAT parquet)"
    )
    found = []
    for directory in (prepare.POSTCODES, plain):
        with _store(Episodes=eps) as store, prepare.Workspace(store.con) as ws:
            con = ws.cursor()
            la = prepare.ons_la("352")
            prepare.prepare(con, "ssda903", 2027, postcodes=directory, la=la, store=ws.store)
            found.append(
                con.execute(
                    'SELECT PL_LA, PL_LOCATION, PL_DISTANCE, HOME_POST_known, PL_POST_known FROM "Episodes" ORDER BY DECOM'
                ).fetchall()
            )
    assert (
        found[0]
        == found[1]
        == [
            ("E08000003", "IN", 162.9, True, True),
            (None, None, None, True, False),
        ]
    )


def test_the_packaged_postcode_keys_are_the_postcodes_bytes() -> None:
    key = prepare.POSTCODE_KEY.format("postcode")
    ((rows, wrong),) = (
        duckdb.connect()
        .execute(
            f"SELECT count(*), count(*) FILTER (WHERE postcode_key IS DISTINCT FROM {key}) "
            f"FROM read_parquet('{prepare.POSTCODES}')"
        )
        .fetchall()
    )
    assert rows > 2_700_000 and wrong == 0


def test_a_run_detaches_its_tables_and_leaves_the_store_connection_as_it_was() -> None:
    with _store() as store:
        engine.validate(store, "ssda903", 2027, rules=["101"])
        engine.validate(store, "ssda903", 2027, rules=["101"])
        assert store.con.execute("SELECT current_database()").fetchone() == ("memory",)
        names = [
            n
            for (n,) in store.con.execute("SELECT database_name FROM duckdb_databases()").fetchall()
        ]
        assert not [n for n in names if n.startswith("dm_validation")]
        assert store.con.execute("SELECT count(*) FROM ssda903_header").fetchone() == (2,)


def _patch(monkeypatch, decl: RuleDecl) -> None:
    rules = dict(registry.all_rules("ssda903"))
    rules[decl.code] = registry._complete("ssda903", decl, "test")
    monkeypatch.setattr(registry, "all_rules", lambda name: rules if name == "ssda903" else {})


@pytest.mark.parametrize(
    ("la", "home", "placed"),
    [
        ("370", "S70_2TA", "S75_1AA"),  # Barnsley: ONSPD 2025 writes E08000038
        ("E08000016", "S70_2TA", "S75_1AA"),  # Barnsley as the DfE's statistics name it
        ("373", "S1_2HH", "S10_2TN"),  # Sheffield: E08000039 in ONSPD 2025
    ],
)
def test_an_la_whose_ons_code_changed_places_in_its_own_area(
    la: str, home: str, placed: str
) -> None:
    """The DfE's statistics and the postcode directory give Barnsley and Sheffield different ONS
    codes; a placement in the LA's own area must still be IN, whichever code names the LA."""
    eps = [f"DECOM=01/05/2026 LS=C2 HOME_POST={home} PL_POST={placed} PLACE_PROVIDER=PR1"]
    with _store(Episodes=eps) as store, prepare.Workspace(store.con) as ws:
        con = ws.cursor()
        prepare.prepare(
            con, "ssda903", 2027, postcodes=prepare.POSTCODES, la=prepare.ons_la(la), store=ws.store
        )
        row = con.execute('SELECT PL_LA, PL_LOCATION FROM "Episodes"').fetchone()
    assert row is not None and row[1] == "IN", row
    assert prepare.ons_la(la) == row[0]
