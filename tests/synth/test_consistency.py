"""One population: the same child in both returns and across years, episodes carried over."""

from __future__ import annotations

from lxml import etree

from datamonger.synth import SynthSummary
from datamonger.synth.upn import check_letter

from .conftest import read_csv_rows


def _cin_children(ys) -> dict[str, etree._Element]:
    root = etree.parse(str(ys.cin_path)).getroot()
    return {c.findtext("ChildIdentifiers/LAchildID"): c for c in root.iter("Child")}


def test_looked_after_children_are_in_the_cin_census_with_the_same_identity(
    clean: SynthSummary,
) -> None:
    for ys in clean.years.values():
        cin = _cin_children(ys)
        header = {r["CHILD"]: r for r in read_csv_rows(ys.ssda903_paths["Header"])}
        in_care = {r["CHILD"] for r in read_csv_rows(ys.ssda903_paths["Episodes"])}
        assert in_care and in_care <= set(header)
        assert in_care <= set(cin)  # looked-after children are children in need
        for child in in_care:
            c = cin[child]
            h = header[child]
            iso = c.findtext("ChildIdentifiers/PersonBirthDate")
            assert h["DOB"] == f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}"
            assert (
                c.findtext("ChildIdentifiers/UPN") or c.findtext("ChildIdentifiers/UPNunknown")
            ) == h["UPN"]
            assert c.findtext("ChildCharacteristics/Ethnicity") == h["ETHNIC"]


def test_identity_stable_across_years(clean: SynthSummary) -> None:
    a = {r["CHILD"]: r for r in read_csv_rows(clean.years[2024].ssda903_paths["Header"])}
    b = {r["CHILD"]: r for r in read_csv_rows(clean.years[2025].ssda903_paths["Header"])}
    both = set(a) & set(b)
    assert len(both) > 100
    for child in both:
        assert (a[child]["DOB"], a[child]["ETHNIC"], a[child]["UPN"]) == (
            b[child]["DOB"], b[child]["ETHNIC"], b[child]["UPN"],
        )  # fmt: skip
        assert {a[child]["SEX"], b[child]["SEX"]} in ({"1", "M"}, {"2", "F"})


def test_open_episodes_continue_into_next_year(clean: SynthSummary) -> None:
    last = read_csv_rows(clean.years[2024].ssda903_paths["Episodes"])
    this = read_csv_rows(clean.years[2025].ssda903_paths["Episodes"])
    open_last = {(r["CHILD"], r["DECOM"]): r for r in last if not r["DEC"]}
    first_this: dict[str, dict[str, str]] = {}
    for r in this:
        first_this.setdefault(r["CHILD"], r)
    assert len(open_last) > 100
    for (child, decom), r in open_last.items():
        nxt = first_this[child]  # rule 502/503: same start, same details
        assert nxt["DECOM"] == decom
        for field in ("RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "PL_POST", "URN"):
            assert nxt[field] == r[field]


def test_cin_episodes_open_at_31_march_continue(clean: SynthSummary) -> None:
    last, this = _cin_children(clean.years[2024]), _cin_children(clean.years[2025])
    carried = 0
    for child, c in last.items():
        for ep in c.iter("CINdetails"):
            if ep.find("CINclosureDate") is None:
                referral = ep.findtext("CINreferralDate")
                assert child in this
                assert referral in {
                    e.findtext("CINreferralDate") for e in this[child].iter("CINdetails")
                }
                carried += 1
    assert carried > 300


def test_upns_have_the_right_check_letter_and_are_unique(clean: SynthSummary) -> None:
    assert check_letter("801200005001") == "B"  # B801200005001, python-stdnum's gb.upn example
    root = etree.parse(str(clean.years[2025].cin_path)).getroot()
    upns = [e.text for e in root.iter("UPN")]
    assert len(upns) == len(set(upns)) > 1000
    assert all(check_letter(u[1:]) == u[0] and u[1:4] == "330" for u in upns)
