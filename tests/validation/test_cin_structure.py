"""The CIN XML structural check (missing, repeated, misplaced elements), its place in `validate`,
and the year-specific behaviour of the CIN child rules that one fixture per rule cannot show."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from datamonger.cli import validate as _registers  # noqa: F401
from datamonger.cli.app import app
from datamonger.loading import load_paths
from datamonger.store import Store
from datamonger.validation import registry
from datamonger.validation.engine import validate
from datamonger.validation.fixtures import load_rows
from datamonger.validation.rule import Context
from datamonger.validation.rules.cin.common import parse
from datamonger.validation.rules.cin.identifiers import CHECK_LETTERS
from datamonger.validation.rules.cin.identifiers import upn as make
from datamonger.validation.structure import CODE, cin_structure

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cin_structure"
CLEAN, FAULTY, NO_CHILD = (FIXTURES / f"{n}.xml" for n in ("clean", "faulty", "no_child"))


def line_of(path: Path, needle: str, nth: int = 1) -> int:
    """The line of the nth occurrence of `needle` in the file."""
    hits = [n for n, text in enumerate(path.read_text().splitlines(), 1) if needle in text]
    return hits[nth - 1]


def structure_of(path: Path, year: int = 2025, **load: object) -> list[tuple]:
    with Store(":memory:") as store:
        load_paths([path], store, **load)  # type: ignore[arg-type]
        return [
            (i.table, Path(i.file).name, i.line, i.child, i.fields, i.severity)
            for i in cin_structure(store, year)
        ]


# --- the structural check --------------------------------------------------------------------
def test_a_well_formed_return_has_no_structure_issue() -> None:
    assert structure_of(CLEAN) == []


def test_missing_repeated_and_misplaced_elements_with_their_lines_and_children() -> None:
    f, name = FAULTY, "faulty.xml"
    assert structure_of(f) == [
        # the Header lacks Source/LEA (reported on the Header element)
        ("Header", name, line_of(f, "<Header>"), None, ("LEA",), "error"),
        # an element the census does not define, in the Header: no child
        ("XML", name, line_of(f, "<Comment>"), None, ("Comment",), "error"),
        # a repeated and an unknown element inside the first child
        ("XML", name, line_of(f, "<PersonBirthDate>", 2), "C1", ("PersonBirthDate",), "error"),
        ("XML", name, line_of(f, "<Nickname>"), "C1", ("Nickname",), "error"),
        # its episode has no referral date, its Section 47 no start date
        ("CINdetails", name, line_of(f, "<CINdetails>"), "C1", ("CINreferralDate",), "error"),
        ("Section47", name, line_of(f, "<Section47>"), "C1", ("S47ActualStartDate",), "error"),
        # between the children: no child
        ("XML", name, line_of(f, "<Note>"), None, ("Note",), "error"),
        # the second child has no LAchildID (so its issues carry no child id)
        ("ChildIdentifiers", name, line_of(f, "<Child>", 2), None, ("LAchildID",), "error"),
        ("XML", name, line_of(f, "<CINreferralDate>", 2), None, ("CINreferralDate",), "error"),
    ]


def test_a_file_without_header_or_child_is_refused_at_load() -> None:
    # loading it under --year would replace the stored census with an empty one
    with Store(":memory:") as store:
        report = load_paths([NO_CHILD], store, year=2025)
        assert report.exit_code == 2
        assert [p.code for p in report.problems if p.severity.value == "error"] == [
            "xml_no_records"
        ]
        assert cin_structure(store, 2025) == []


def test_reloading_a_file_does_not_repeat_its_issues(tmp_path: Path) -> None:
    copy = tmp_path / "cin.xml"
    shutil.copy(FAULTY, copy)
    with Store(":memory:") as store:
        load_paths([copy], store)
        first = cin_structure(store, 2025)
        load_paths([copy], store)
        assert cin_structure(store, 2025) == first
        # the file fixed and loaded again: the reader's old warnings are gone
        shutil.copy(CLEAN, copy)
        load_paths([copy], store)
        assert cin_structure(store, 2025) == []


def test_only_the_year_asked_and_only_xml_files() -> None:
    with Store(":memory:") as store:
        load_paths([FAULTY], store)
        assert cin_structure(store, 2024) == []
        # rows that did not come from an XML file (the rule fixtures' CSV-like tables) are not
        # the census XML: nothing to check
        load_rows(store, "cin", 2023, {"CINdetails": [parse("CINdetails", "")]})
        assert cin_structure(store, 2023) == []


def test_validate_reports_structure_first_and_not_when_rules_are_chosen() -> None:
    with Store(":memory:") as store:
        load_paths([FAULTY], store)
        report = validate(store, "cin", 2025)
        codes = [i.rule for i in report.issues]
        n = codes.count(CODE)
        assert n == 9 and codes[:n] == [CODE] * n and len(codes) > n
        assert report.exit_code == 1
        assert (("cin", CODE) in report.messages) and report.summary()["by_rule"]
        chosen = validate(store, "cin", 2025, rules=["8500"])
        assert CODE not in {i.rule for i in chosen.issues}
        clean = Store(":memory:")
        load_paths([CLEAN], clean)
        assert CODE not in {i.rule for i in validate(clean, "cin", 2025).issues}
        clean.close()


def test_cli_validate_lists_structure_issues_first(tmp_path: Path) -> None:
    done = CliRunner().invoke(app, ["validate", str(FAULTY), "--format", "json"])
    assert done.exit_code == 1, done.output
    out = json.loads(done.stdout)
    assert out["issues"][0]["rule"] == CODE and out["issues"][0]["line"] == line_of(
        FAULTY, "<Header>"
    )
    table = CliRunner().invoke(app, ["validate", str(FAULTY)])
    first_rule_row = next(ln for ln in table.stdout.splitlines() if "│ cin" in ln)
    assert CODE in first_rule_row


# --- year-specific behaviour of the child rules ------------------------------------------------
def flagged(code: str, year: int, rows: dict[str, list[str]]) -> list[tuple[str, int]]:
    with Store(":memory:") as store:
        load_rows(
            store, "cin", year, {t: [parse(t, s) for s in specs] for t, specs in rows.items()}
        )
        report = validate(store, "cin", year, rules=[code])
        assert not report.skipped
        return sorted((i.table, i.line) for i in report.issues)


CID = "ChildIdentifiers"


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2024, [(CID, 3), (CID, 5)]), (2025, [(CID, 2), (CID, 5)])],
)
def test_4180_gender_current_until_2023_24_then_sex(year: int, expected: list) -> None:
    rows = {
        CID: ["GenderCurrent=1", "C=2 Sex=M", "C=3 GenderCurrent=9 Sex=F", "C=4 GenderCurrent=3"]
    }
    assert flagged("4180", year, rows) == expected


@pytest.mark.parametrize(("year", "expected"), [(2024, [(CID, 3)]), (2025, [(CID, 2)])])
def test_8750_unborn_gender_0_then_sex_u(year: int, expected: list) -> None:
    rows = {
        CID: [
            "ExpectedPersonBirthDate=2025-06-01 GenderCurrent=0",
            "C=2 ExpectedPersonBirthDate=2025-06-01 Sex=U",
        ]
    }
    assert flagged("8750", year, rows) == expected


def test_2886q_counts_gender_current_0_then_sex_u() -> None:
    rows = {
        "Header": ["ReferenceDate=2024-03-31"],
        CID: ["GenderCurrent=0 Sex=M", "C=2 GenderCurrent=1 Sex=U"],
    }
    rows[CID] += [f"C={n} GenderCurrent=1 Sex=M" for n in range(3, 51)]
    # one child of 50 (2%) has no sex recorded under either year's definition: no query
    assert flagged("2886Q", 2024, rows) == [] and flagged("2886Q", 2025, rows) == []
    rows[CID].append("C=51 GenderCurrent=0 Sex=F")
    assert flagged("2886Q", 2024, rows) == [("Header", 2)] and flagged("2886Q", 2025, rows) == []


def test_1530_recognises_942_and_943_from_2023_24() -> None:
    rows = {CID: [f"UPN={make('942234567890')}", f"C=2 UPN={make('943234567890')}"]}
    assert flagged("1530", 2023, rows) == [(CID, 2), (CID, 3)]
    assert flagged("1530", 2024, rows) == []


def test_lachildid_length_and_characters_only_from_2024_25() -> None:
    codes_2024 = {r.code for r in registry.rules_for("cin", 2024)}
    codes_2025 = {r.code for r in registry.rules_for("cin", 2025)}
    assert {"1570", "1580"} & codes_2024 == set()
    assert {"1570", "1580"} <= codes_2025


def test_8770q_school_age_changed_in_2024_25() -> None:
    # born 1 September 2018: not yet 6 years before 31 March 2024, but on or before
    # 31 August 2021 (four years before the 2024-25 census year ends)
    rows = {CID: ["PersonBirthDate=2018-09-01"], "CINdetails": ["ReferralNFA=false"]}
    assert flagged("8770Q", 2024, rows) == []
    assert flagged("8770Q", 2025, rows) == [(CID, 2)]
    old = {CID: ["PersonBirthDate=2018-03-30"], "CINdetails": ["ReferralNFA=false"]}
    assert flagged("8770Q", 2024, old) == [(CID, 2)]


def test_upn_check_letter_sql_agrees_with_python() -> None:
    rests = ["201234567890", "93712345678Z", "80000000000A", "00100000000Y", "38199999999H"]
    good = [make(r) for r in rests]
    bad = [CHECK_LETTERS[(CHECK_LETTERS.index(u[0]) + 5) % 23] + u[1:] for u in good]
    rows = {CID: [f"C={n} UPN={u}" for n, u in enumerate(good + bad)]}
    assert flagged("1510", 2025, rows) == [(CID, n + 2) for n in range(len(good), len(good) * 2)]
    # a UPN whose check letter is Y or Z is valid (the public validator knows only A-X)
    yz = [make(r) for r in (f"2012345678{n:02d}" for n in range(100)) if make(r)[0] in "YZ"]
    assert {u[0] for u in yz} == {"Y", "Z"}
    assert flagged("1510", 2025, {CID: [f"C={n} UPN={u}" for n, u in enumerate(yz)]}) == []


def test_code_sets_in_force_per_year_are_in_the_sql() -> None:
    rules = registry.all_rules("cin")
    assert "'942'" not in rules["1530"].check.sql(Context(2023))
    assert "'942'" in rules["1530"].check.sql(Context(2024))
    assert "GenderCurrent" in rules["4180"].check.sql(Context(2024))
    assert "Sex" in rules["4180"].check.sql(Context(2026))
