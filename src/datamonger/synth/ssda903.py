"""The SSDA903 return of one collection year: the rows of its tables, sliced from the histories.

Episodes open at any time in the year keep their original DECOM; what happens after 31 March is not
yet known (an episode ending later is written open). Cells are text, dates dd/mm/yyyy.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from datamonger.returns.ssda903 import tables_in_year
from datamonger.synth import codes
from datamonger.synth import proportions as P
from datamonger.synth.dates import Day, add_years, age_on, ddmmyyyy, year_end, year_start
from datamonger.synth.model import CareEpisode, Child
from datamonger.synth.pick import Weighted

Row = list[str]

IN_TOUCH = Weighted(P.CARE_LEAVER_IN_TOUCH)
ACTIVITY = Weighted(P.CARE_LEAVER_ACTIVITY)
ACCOMMODATION = Weighted(P.CARE_LEAVER_ACCOMMODATION)
SHORT_BREAKS = ("V3", "V4")


@dataclass(slots=True)
class Tables:
    """Rows per table of one year's return, with the child each row belongs to."""

    year: int
    rows: dict[str, list[Row]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rows = {t.name: [] for t in tables_in_year(self.year)}

    def add(self, table: str, row: Row) -> None:
        self.rows[table].append(row)


def _d(d: Day | None) -> str:
    return "" if d is None else ddmmyyyy(d)


def build(children: list[Child], year: int, seed: int) -> Tables:
    start, end = year_start(year), year_end(year)
    out = Tables(year)
    for child in children:
        episodes = [e for e in child.care if e.decom <= end and (e.dec is None or e.dec >= start)]
        oc3 = _oc3(child, year, seed) if child.care_leaver else None
        if not episodes and oc3 is None:
            continue
        rng = random.Random(f"{seed}:{year}:{child.index}")
        _child_rows(out, child, episodes, oc3, year, start, end, rng)
    return out


def _child_rows(
    out: Tables,
    child: Child,
    episodes: list[CareEpisode],
    oc3: Row | None,
    year: int,
    start: Day,
    end: Day,
    rng: random.Random,
) -> None:
    cid, dob = child.child_id, _d(child.birth)
    sex = child.sex if year >= 2025 else ("1" if child.sex == "M" else "2")
    looked_after = any(e.ls not in SHORT_BREAKS for e in episodes)
    mother = mc_dob = ""
    if child.sex == "F" and looked_after:
        is_mother = child.mother_birth is not None and child.mother_birth <= end
        mother = "1" if is_mother else "0"
        mc_dob = _d(child.mother_birth) if is_mother else ""
    upn = child.upn or child.upn_unknown
    out.add("Header", [cid, sex, dob, child.ethnicity, upn, mother, mc_dob])
    for e in episodes:
        later = e.dec is not None and e.dec > end
        out.add(
            "Episodes",
            [
                cid, _d(e.decom), e.rne, e.ls, e.cin, e.place, e.provider,
                "" if later else _d(e.dec), "" if later else e.rec,
                "" if later else e.reason_place_change, e.home_post, e.pl_post, e.urn,
            ],
        )  # fmt: skip
    for day, code in child.reviews:
        if start <= day <= end:
            out.add("Reviews", [cid, dob, _d(day), code])
    if child.uasc and episodes:
        eighteen = add_years(child.birth, 18)
        # DUC is the 18th birthday while the child is UASC, even when it is still to come (205B).
        out.add("UASC", [cid, sex, dob, _d(eighteen)])
    oc2 = _oc2(child, episodes, start, end, rng) if looked_after else None
    if oc2 is not None:
        out.add("OC2", [cid, dob, *oc2])
    if oc3 is not None:
        out.add("OC3", [cid, dob, *oc3])
    a = child.adoption
    if a is not None and episodes:
        if a.adopted is not None and start <= a.adopted <= end:
            out.add(
                "AD1",
                [
                    cid, dob, _d(a.date_placed), _d(a.date_match), a.foster_care, a.nb_adoptr,
                    a.sex_adoptr, a.ls_adoptr,
                ],
            )  # fmt: skip
        if a.date_placed <= end:
            out.add("PlacedAdoption", [cid, dob, _d(a.date_placed), "", ""])
    if any(e.rne == "S" and e.decom >= start and e.ls not in SHORT_BREAKS for e in episodes):
        perm, la_perm, when = child.previous_permanence
        out.add(
            "PrevPerm",
            [cid, dob, perm, "" if perm == "Z1" else la_perm, _d(when) if perm != "Z1" else ""],
        )
    for kind, m_start, m_end in child.missing:
        if start <= m_start <= end:
            out.add("Missing", [cid, dob, kind, _d(m_start), _d(m_end)])
    if "SWEpisodes" in out.rows and looked_after:
        for sw in child.social_workers:
            if sw.start > end or (sw.end is not None and sw.end < start):
                continue
            closed = sw.end is not None and sw.end <= end
            # 2023/24 asks every episode for its reason, open ones included (SW01STG1, SW03STG1);
            # from 2024/25 only ended episodes have one.
            reason = sw.reason if closed or year == 2024 else ""
            out.add(
                "SWEpisodes",
                [cid, dob, sw.sw_id, _d(sw.start), _d(sw.end) if closed else "", reason],
            )
    if "DoLo" in out.rows:
        for d_start, d_end in child.dolo:
            if start <= d_start <= end:
                out.add("DoLo", [cid, dob, _d(d_start), _d(d_end)])


def _oc2(
    child: Child, episodes: list[CareEpisode], start: Day, end: Day, rng: random.Random
) -> list[str] | None:
    """Outcomes of children looked after continuously for 12 months at 31 March (rules 181-198,
    542-547): in care on 31 March in a period of care begun before the year."""
    current = [e for e in episodes if e.dec is None or e.dec > end]
    if not current or current[-1].ls in SHORT_BREAKS:
        return None
    period_start = max(
        (e.decom for e in child.care if e.rne == "S" and e.decom <= end), default=None
    )
    if period_start is None or period_start > start:  # in care on 1 April counts as 12 months
        return None
    age_end, age_start = age_on(child.birth, end), age_on(child.birth, start)
    sdq_score = sdq_reason = ""
    if age_end >= 4 and age_start < 17:  # rules 186, 188, 189, 197B
        if rng.random() < P.SDQ_RECORDED:
            sdq_score = str(min(40, max(0, int(rng.gauss(14, 7)))))
        else:
            sdq_reason = rng.choice(codes.SDQ_REASONS)
    convicted = ("1" if rng.random() < P.CONVICTED else "0") if age_end >= 10 else ""
    health_check = ("1" if rng.random() < P.HEALTH_CHECK else "0") if age_end < 5 else ""
    substance = "1" if rng.random() < P.SUBSTANCE_MISUSE else "0"
    received = offered = ""
    if substance == "1":
        received = "1" if rng.random() < 0.6 else "0"
        if received == "0":
            offered = "1" if rng.random() < 0.7 else "0"
    return [
        sdq_score,
        sdq_reason,
        convicted,
        health_check,
        "1" if rng.random() < P.IMMUNISATIONS else "0",
        "1" if rng.random() < P.TEETH_CHECK else "0",
        "1" if rng.random() < P.HEALTH_ASSESSMENT else "0",
        substance,
        received,
        offered,
    ]


def _oc3(child: Child, year: int, seed: int) -> Row | None:
    """IN_TOUCH, ACTIV, ACCOM for a care leaver whose 17th-21st birthday falls in the year and
    who was not looked after on it (rules 391, 1007, 1016, 3001, 347)."""
    if child.left_care is None:
        return None
    start, end = year_start(year), year_end(year)
    for age in range(17, 22):
        birthday = add_years(child.birth, age)
        if start <= birthday <= end:
            break
    else:
        return None
    if birthday <= child.left_care:
        return None
    rng = random.Random(f"oc3:{seed}:{year}:{child.index}")
    in_touch = IN_TOUCH(rng)
    if in_touch != "YES":
        return [in_touch, "0", "0"]
    accom = ACCOMMODATION(rng)
    while (age == 17 and accom == "Z") or (age <= 18 and accom == "T"):
        accom = ACCOMMODATION(rng)
    suitable = "1" if rng.random() < P.CARE_LEAVER_SUITABLE else "2"
    if accom in ("S", "X"):  # no fixed abode and custody exist only as unsuitable (S2, X2)
        suitable = "2"
    return ["YES", ACTIVITY(rng), accom + suitable]
