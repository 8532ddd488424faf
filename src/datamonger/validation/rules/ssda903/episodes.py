"""SSDA903 Episodes: codes that go together, ages, lengths, and the order of a child's episodes."""

from __future__ import annotations

from datamonger.validation.rule import RuleDecl, fx, rule
from datamonger.validation.rules.ssda903.b_common import PV_365_NOTE, each_year, order_runs
from datamonger.validation.templates import (
    blank_if,
    no_overlap,
    query,
    required_if,
    select,
    sql_list,
    where,
)

TEMP = "('T0', 'T1', 'T2', 'T3', 'T4')"
V34 = "('V3', 'V4')"
ADOPTION = "('A3', 'A4', 'A5', 'A6')"
# Placements that take no provider code: T0-T4 and Z1 until 2024/25; T0-T3 and Z11-Z14 after.
NO_PROVIDER = {
    2023: "t.PLACE IN ('T0', 'T1', 'T2', 'T3', 'T4', 'Z1')",
    2026: "t.PLACE IN ('T0', 'T1', 'T2', 'T3', 'Z11', 'Z12', 'Z13', 'Z14')",
}
PREV = 'LEFT JOIN "Episodes" p ON p.CHILD = t.CHILD AND p.seq = t.seq - 1'
NEXT = 'LEFT JOIN "Episodes" n ON n.CHILD = t.CHILD AND n.seq = t.seq + 1'
DOB = {"Header": ["DOB=01/06/2010"]}  # a child aged 15 at the start of 2026/27


def _age_place(code: str, place: str, years: int, young: str, old: str) -> RuleDecl:
    return rule(
        code,
        where("Episodes", f"t.PLACE IN {place} AND age(h.DOB, t.DECOM) < {years}", header=True),
        fixture=fx(
            "Episodes",
            [f"DECOM={young} PLACE={place[2:4]}"],
            [f"DECOM={old} PLACE={place[2:4]}"],
            both={"Header": ["DOB=01/06/2000"]},
        ),
    )


def _age_rec(
    code: str, cond: str, rec: str, fail_dec: str, ok_dec: str, note: str = ""
) -> RuleDecl:
    """REC one of `rec` (codes, space separated) and the age at DEC meeting `cond`; the fixture
    has one failing and one passing episode per code."""
    codes = rec.split()
    return rule(
        code,
        where(
            "Episodes",
            f"t.REC IN ({sql_list(codes)}) AND {cond.replace('AGE', 'age(h.DOB, t.DEC)')}",
            header=True,
        ),
        fixture=fx(
            "Episodes",
            [f"DECOM=01/04/2026 DEC={fail_dec} REC={c}" for c in codes],
            [f"DECOM=01/04/2026 DEC={ok_dec} REC={c}" for c in codes],
            both={"Header": ["DOB=01/06/2010"]},
        ),
        note=note,
    )


def _too_long(code: str, cond: str, days: int, value: str) -> RuleDecl:
    return rule(
        code,
        where(
            "Episodes", f"{cond} AND date_diff('day', t.DECOM, coalesce(t.DEC, {{end}})) > {days}"
        ),
        fixture=fx(
            "Episodes",
            [f"DECOM=01/05/2026 DEC={_plus('01/05/2026', days + 1)} {value}"],
            [f"DECOM=01/05/2026 DEC={_plus('01/05/2026', days)} {value}"],
        ),
    )


def _order_too_long(code: str, ls: str, days: int) -> RuleDecl:
    """An order under legal status `ls` lasting more than `days` days, its consecutive episodes
    added up (as rule 364 does for J2)."""
    half = days // 2 + 1  # two consecutive episodes of `half` days: each within, together over
    return rule(
        code,
        query(order_runs(ls, days), "Episodes"),
        note="One order can span consecutive episodes (a change of placement under it): episodes "
        f"under {ls}, each starting on or before the previous one ended, are added up, as rule "
        "364 does for J2; an episode still open counts to 31 March. Every episode of an order "
        "over the limit is reported.",
        fixture=fx(
            "Episodes",
            [
                f"DECOM=01/05/2026 DEC={_plus('01/05/2026', days + 1)} LS={ls} REC=E13",
                f"CHILD=2 DECOM=01/05/2026 DEC={_plus('01/05/2026', half)} LS={ls} REC=X1",
                f"CHILD=2 DECOM={_plus('01/05/2026', half)} "
                f"DEC={_plus('01/05/2026', 2 * half)} LS={ls} REC=E13 RNE=P",
            ],
            [
                f"DECOM=01/05/2026 DEC={_plus('01/05/2026', days)} LS={ls} REC=E13",
                # two orders: the second starts after the first ended
                f"CHILD=2 DECOM=01/05/2026 DEC={_plus('01/05/2026', half)} LS={ls} REC=E13",
                f"CHILD=2 DECOM={_plus('01/05/2026', half + 1)} "
                f"DEC={_plus('01/05/2026', 2 * half + 1)} LS={ls} REC=E13 RNE=S",
                # another legal status in between
                f"CHILD=3 DECOM=01/05/2026 DEC={_plus('01/05/2026', half)} LS={ls} REC=X1",
                f"CHILD=3 DECOM={_plus('01/05/2026', half)} "
                f"DEC={_plus('01/05/2026', half + 1)} LS=C2 REC=X1 RNE=L",
                f"CHILD=3 DECOM={_plus('01/05/2026', half + 1)} "
                f"DEC={_plus('01/05/2026', 2 * half + 1)} LS={ls} REC=E13 RNE=L",
            ],
        ),
    )


def _plus(day: str, n: int) -> str:
    import datetime as dt

    d = dt.datetime.strptime(day, "%d/%m/%Y").date() + dt.timedelta(days=n)
    return d.strftime("%d/%m/%Y")


def _provider(code: str, provider: str, places: str, bad: str, good: str) -> RuleDecl:
    return rule(
        code,
        where("Episodes", f"t.PLACE_PROVIDER = '{provider}' AND t.PLACE IN {places}"),
        fixture=fx(
            "Episodes",
            [f"PLACE={bad} PLACE_PROVIDER={provider}"],
            [f"PLACE={good} PLACE_PROVIDER={provider}", f"PLACE={bad} PLACE_PROVIDER=PR9"],
        ),
    )


RULES = [
    rule(
        "148",
        where("Episodes", "blank(t.DEC_raw) <> blank(t.REC_raw)"),
        fixture=fx("Episodes", ["DEC=01/06/2026", "REC=E11"], ["DEC=01/06/2026 REC=E11", "RNE=S"]),
    ),
    rule(
        "213",
        blank_if("Episodes", "PLACE_PROVIDER", NO_PROVIDER),
        fixture=fx(
            "Episodes", ["PLACE=T0 PLACE_PROVIDER=PR1"], ["PLACE=T0", "PLACE=U1 PLACE_PROVIDER=PR1"]
        ),
    ),
    rule(
        "526",
        where(
            "Episodes",
            {
                y: f"NOT ({c}) AND t.PLACE IS NOT NULL AND blank(t.PLACE_PROVIDER_raw)"
                for y, c in NO_PROVIDER.items()
            },
        ),
        fixture=fx("Episodes", ["PLACE=U1"], ["PLACE=U1 PLACE_PROVIDER=PR1", "PLACE=T0"]),
    ),
    rule(
        "214",
        blank_if("Episodes", "PL_POST URN", f"t.LS IN {V34}"),
        fixture=fx(
            "Episodes", ["LS=V3 PL_POST=M1_1AE", "LS=V4 URN=SC1"], ["LS=V3", "LS=C2 URN=SC1"]
        ),
    ),
    rule(
        "226",
        blank_if("Episodes", "REASON_PLACE_CHANGE", f"t.PLACE IN {TEMP}"),
        fixture=fx(
            "Episodes",
            ["PLACE=T1 REASON_PLACE_CHANGE=CARPL"],
            ["PLACE=T1", "PLACE=U1 REASON_PLACE_CHANGE=CARPL"],
        ),
    ),
    rule(
        "233",
        blank_if("Episodes", "REASON_PLACE_CHANGE", "blank(t.DEC_raw)"),
        fixture=fx(
            "Episodes",
            ["DECOM=01/05/2026 REASON_PLACE_CHANGE=CARPL"],
            ["DECOM=01/05/2026 DEC=01/06/2026 REC=X1 REASON_PLACE_CHANGE=CARPL"],
        ),
    ),
    rule(
        "225",
        required_if(
            "Episodes",
            "REASON_PLACE_CHANGE",
            f"t.REC = 'X1' AND n.RNE IN ('P', 'B', 'T', 'U') AND t.PLACE NOT IN {TEMP} "
            f"AND n.PLACE NOT IN {TEMP}",
            joins=NEXT,
        ),
        fixture=fx(
            "Episodes",
            ["DECOM=01/05/2026 DEC=01/06/2026 REC=X1 PLACE=U1", "DECOM=01/06/2026 RNE=P PLACE=U2"],
            [
                "DECOM=01/05/2026 DEC=01/06/2026 REC=X1 PLACE=U1 REASON_PLACE_CHANGE=CARPL",
                "DECOM=01/06/2026 RNE=P PLACE=U2",
            ],
            flagged=[("Episodes", 2)],
        ),
        note="Asked of the episode that ended with a change of placement (REC X1, next RNE P/B/T/U), "
        "unless either placement is temporary (T0-T4, rule 226).",
    ),
    rule(
        "217",
        where("Episodes", "t.PLACE IN ('A3', 'A5') AND t.RNE NOT IN ('S', 'T', 'U')"),
        fixture=fx("Episodes", ["PLACE=A3 RNE=P"], ["PLACE=A5 RNE=T", "PLACE=A4 RNE=P"]),
    ),
    rule(
        "232",
        where("Header", "t.SEX = 'U'"),
        severity="query",
        fixture=fx("Header", ["SEX=u"], ["SEX=F"]),
    ),
    rule(
        "234",
        where(
            "Episodes",
            "t.REASON_PLACE_CHANGE = 'CUSTOD' AND age(h.DOB, coalesce(t.DEC, t.DECOM)) < 10",
            header=True,
        ),
        fixture=fx(
            "Episodes",
            ["DECOM=01/05/2026 DEC=01/06/2026 REASON_PLACE_CHANGE=CUSTOD"],
            ["DECOM=01/05/2026 DEC=02/06/2026 REASON_PLACE_CHANGE=CUSTOD"],
            both={"Header": ["DOB=02/06/2016"]},
        ),
    ),
    rule(
        "358",
        where("Episodes", "t.LS IN ('J1', 'J2', 'J3') AND age(h.DOB, t.DECOM) < 10", header=True),
        fixture=fx(
            "Episodes",
            ["DECOM=01/06/2026 LS=J1"],
            ["DECOM=02/06/2026 LS=J2"],
            both={"Header": ["DOB=02/06/2016"]},
        ),
        note="Under 10 on DECOM in completed years: a child starting the episode on the 10th "
        "birthday is 10, not under 10. The public validator flags that child (it tests DOB plus "
        "10 years on or after DECOM, a day off at the boundary); we keep the DfE's 'under 10'.",
    ),
    _age_place("371", "('H5', 'K3')", 16, "01/06/2015", "01/06/2016"),
    _age_place("372", "('R5')", 10, "01/06/2009", "01/06/2010"),
    _age_place("373", "('S1')", 4, "01/06/2003", "01/06/2004"),
    _age_place("374", "('P3')", 14, "01/06/2013", "01/06/2014"),
    _age_rec("386", "AGE >= 18", "E11 E12", "01/06/2028", "31/05/2028"),
    _age_rec(
        "387",
        "AGE < 14",
        "E5 E6",
        "31/05/2024",
        "01/06/2024",
        note="Both moves into independent living: E5 (with formalised support) and E6 (without). "
        "The age is taken on DEC; a REC without a DEC is rule 148's. " + PV_365_NOTE,
    ),
    _age_rec("389", "AGE < 16", "E7", "31/05/2026", "01/06/2026"),
    _age_rec("407", "AGE >= 18", "E45 E46 E47 E48", "01/06/2028", "31/05/2028"),
    _age_rec("460", "AGE < 18", "E17", "31/05/2028", "01/06/2028"),
    _order_too_long("361", "L1", 3),
    _order_too_long("362", "L2", 21),
    _order_too_long("363", "L3", 7),
    _too_long("365", "t.LS = 'V3'", 17, "LS=V3"),
    _too_long("375", "t.PLACE = 'T1'", 42, "PLACE=T1"),
    _too_long("376", "t.PLACE = 'T3'", 21, "PLACE=T3"),
    _too_long("379", "t.PLACE = 'T4'", 7, "PLACE=T4"),
    rule(
        "366",
        where("Episodes", "t.LS = 'V3' AND t.RNE <> 'S'"),
        fixture=fx("Episodes", ["LS=V3 RNE=P"], ["LS=V3 RNE=S", "LS=C2 RNE=P"]),
    ),
    rule(
        "378",
        where("Episodes", "t.PLACE = 'P1' AND t.LS = 'V2'"),
        fixture=fx("Episodes", ["PLACE=P1 LS=V2"], ["PLACE=P1 LS=C2", "PLACE=U1 LS=V2"]),
    ),
    rule(
        "380",
        where("Episodes", f"t.RNE = 'S' AND t.PLACE IN {TEMP}"),
        fixture=fx("Episodes", ["RNE=S PLACE=T0"], ["RNE=S PLACE=U1", "RNE=P PLACE=T0"]),
    ),
    rule(
        "381",
        where("Episodes", f"t.REC IS NOT NULL AND t.REC <> 'X1' AND t.PLACE IN {TEMP}"),
        fixture=fx("Episodes", ["REC=E13 PLACE=T2"], ["REC=X1 PLACE=T2", "REC=E13 PLACE=U1"]),
    ),
    rule(
        "382",
        where("Episodes", f"t.LS IN {V34} AND t.PLACE IN {TEMP}"),
        fixture=fx("Episodes", ["LS=V3 PLACE=T2"], ["LS=V3 PLACE=U1", "LS=C2 PLACE=T2"]),
    ),
    rule(
        "384",
        where("Episodes", f"t.LS IN {V34} AND t.PLACE IN ('U1', 'U4')"),
        fixture=fx("Episodes", ["LS=V4 PLACE=U4"], ["LS=V4 PLACE=U2", "LS=C2 PLACE=U1"]),
    ),
    rule(
        "390",
        where("Episodes", f"t.REC IN ('E11', 'E12') AND t.PLACE NOT IN {ADOPTION}"),
        fixture=fx("Episodes", ["REC=E11 PLACE=U1"], ["REC=E12 PLACE=A5", "REC=E13 PLACE=U1"]),
    ),
    rule(
        "408",
        where("Episodes", "t.PLACE IN ('A5', 'A6') AND t.LS NOT IN ('E1', 'D1')"),
        fixture=fx("Episodes", ["PLACE=A5 LS=C2"], ["PLACE=A6 LS=E1", "PLACE=A3 LS=C2"]),
    ),
    rule(
        "446",
        where("Episodes", "t.LS = 'E1' AND t.DECOM < DATE '2005-12-30'"),
        # a fixed day: the same dates in every year
        fixture=each_year(
            lambda _: fx(
                "Episodes",
                ["LS=E1 DECOM=29/12/2005"],
                ["LS=E1 DECOM=30/12/2005", "LS=C2 DECOM=01/01/2005"],
            )
        ),
        note="Placement orders (E1) began on 30 December 2005.",
    ),
    rule(
        "516",
        where(
            "Episodes",
            "t.REC IN ('E45', 'E46') AND t.PLACE NOT IN ('U1', 'U2', 'U3', 'U4', 'U5', 'U6')",
        ),
        fixture=fx("Episodes", ["REC=E45 PLACE=R1"], ["REC=E46 PLACE=U3", "REC=E47 PLACE=R1"]),
    ),
    _provider("527", "PR1", "('P1', 'R2', 'R5')", "R2", "U1"),
    _provider("528", "PR2", "('P1', 'R2', 'R5')", "R5", "U1"),
    _provider(
        "529",
        "PR3",
        "('P1', 'A3', 'A4', 'A5', 'A6', 'K1', 'K2', 'U1', 'U2', 'U3', 'U4', 'U5', 'U6')",
        "K2",
        "R1",
    ),
    _provider("530", "PR4", "('P1')", "P1", "U1"),
    _provider("531", "PR5", "('P1')", "P1", "U1"),
    rule(
        "550",
        where("Episodes", "t.PLACE_PROVIDER = 'PR0' AND t.PLACE <> 'P1'"),
        fixture=fx("Episodes", ["PLACE=U1 PLACE_PROVIDER=PR0"], ["PLACE=P1 PLACE_PROVIDER=PR0"]),
    ),
    rule(
        "392b",
        where(
            "Episodes",
            f"(t.LS IS NULL OR t.LS NOT IN {V34}) AND coalesce(h.UASC, '0') <> '1' "
            "AND (blank(t.HOME_POST_raw) OR blank(t.PL_POST_raw))",
            header=True,
        ),
        fixture=fx(
            "Episodes",
            ["LS=C2 HOME_POST=M1_1AE"],
            ["LS=C2 HOME_POST=M1_1AE PL_POST=M1_1AE", "LS=V3"],
        ),
        note="UASC children (in the UASC table) are left out, as the DfE's note allows.",
    ),
    rule(
        "392d",
        where("Episodes", "pc(t.HOME_POST) = pc(t.PL_POST) AND t.PLACE <> 'P1'"),
        fixture=fx(
            "Episodes",
            ["HOME_POST=M1_1AE PL_POST=m11ae PLACE=U1"],
            [
                "HOME_POST=M1_1AE PL_POST=M1_1AE PLACE=P1",
                "HOME_POST=M1_1AE PL_POST=M1_1AF PLACE=U1",
            ],
        ),
    ),
    rule(
        "398",
        where(
            "Episodes", f"t.LS IN {V34} AND NOT (blank(t.HOME_POST_raw) AND blank(t.PL_POST_raw))"
        ),
        fixture=fx("Episodes", ["LS=V3 HOME_POST=M1_1AE"], ["LS=V3", "LS=C2 HOME_POST=M1_1AE"]),
    ),
    rule(
        "426",
        where(
            "Episodes",
            "t.LS IN ('V3', 'V4') AND t.CHILD IN (SELECT CHILD FROM \"Episodes\" "
            "GROUP BY CHILD HAVING bool_or(LS = 'V3') AND bool_or(LS = 'V4'))",
        ),
        fixture=fx("Episodes", ["LS=V3", "LS=V4"], ["LS=V3", "LS=V3", "CHILD=2 LS=V4"]),
    ),
    # the order of a child's episodes (seq: 1.. by DECOM)
    rule(
        "142",
        where(
            "Episodes", "n.CHILD IS NOT NULL AND (blank(t.DEC_raw) OR blank(t.REC_raw))", joins=NEXT
        ),
        fixture=fx(
            "Episodes",
            ["DECOM=01/05/2026", "DECOM=01/06/2026"],
            ["DECOM=01/05/2026 DEC=01/06/2026 REC=X1", "DECOM=01/06/2026"],
            flagged=[("Episodes", 2)],
        ),
    ),
    rule(
        "501",
        where("Episodes", "t.DECOM < p.DEC", joins=PREV),
        fixture=fx(
            "Episodes",
            ["DECOM=01/05/2026 DEC=03/06/2026 REC=X1", "DECOM=01/06/2026"],
            ["DECOM=01/05/2026 DEC=01/06/2026 REC=X1", "DECOM=01/06/2026"],
            flagged=[("Episodes", 3)],
        ),
    ),
    rule(
        "388",
        where("Episodes", "t.REC = 'X1' AND n.CHILD IS NULL", joins=NEXT),
        fixture=fx(
            "Episodes",
            ["DECOM=01/05/2026 DEC=01/06/2026 REC=X1"],
            ["DECOM=01/05/2026 DEC=01/06/2026 REC=X1", "DECOM=01/06/2026 RNE=P"],
        ),
        note=PV_365_NOTE,
    ),
    rule(
        "357",
        where(
            "Episodes",
            "t.seq = 1 AND t.RNE <> 'S' AND t.DECOM >= {start} "
            'AND t.CHILD NOT IN (SELECT CHILD FROM "Episodes_last" WHERE CHILD IS NOT NULL)',
        ),
        fixture=fx(
            "Episodes",
            ["DECOM=01/05/2026 RNE=P"],
            ["DECOM=01/05/2026 RNE=S", "DECOM=01/05/2025 RNE=P"],
        ),
        note="Only a first episode starting in the year: one starting earlier continues a period.",
    ),
    rule(
        "431",
        where("Episodes", "t.RNE = 'S' AND p.DEC = t.DECOM", joins=PREV),
        fixture=fx(
            "Episodes",
            ["DECOM=01/05/2026 DEC=01/06/2026 REC=E13", "DECOM=01/06/2026 RNE=S"],
            ["DECOM=01/05/2026 DEC=01/06/2026 REC=E13", "DECOM=05/06/2026 RNE=S"],
            flagged=[("Episodes", 3)],
        ),
    ),
    rule(
        "432",
        where("Episodes", "p.REC IS NOT NULL AND p.REC <> 'X1' AND t.RNE <> 'S'", joins=PREV),
        fixture=fx(
            "Episodes",
            ["DECOM=01/05/2026 DEC=01/06/2026 REC=E13", "DECOM=05/06/2026 RNE=P"],
            ["DECOM=01/05/2026 DEC=01/06/2026 REC=E13", "DECOM=05/06/2026 RNE=S"],
            flagged=[("Episodes", 3)],
        ),
    ),
    rule(
        "433",
        where(
            "Episodes",
            "t.RNE IS NOT NULL AND t.RNE <> 'S' AND t.DECOM IS NOT NULL AND p.CHILD IS NOT NULL "
            "AND p.DEC IS DISTINCT FROM t.DECOM",
            joins=PREV,
        ),
        fixture=fx(
            "Episodes",
            [
                "DECOM=01/05/2026 DEC=01/06/2026 REC=X1",
                "DECOM=02/06/2026 RNE=P",
                "CHILD=2 DECOM=01/05/2026",  # the last episode has not finished
                "CHILD=2 DECOM=01/06/2026 RNE=L",
            ],
            [
                "DECOM=01/05/2026 DEC=01/06/2026 REC=X1",
                "DECOM=01/06/2026 RNE=P",
                "CHILD=2 DECOM=01/05/2026",
                "CHILD=2 DECOM=01/06/2026 RNE=S",
                "CHILD=3 DECOM=01/06/2026 RNE=P",  # first episode: nothing before
            ],
            flagged=[("Episodes", 3), ("Episodes", 5)],
        ),
        note="A continuation episode (RNE other than S) must start on the day the previous one "
        "finished (DECOM = previous DEC, as the DfE's rule reads). A previous episode with no "
        "DEC (blank or unreadable) has not finished, so the episode does not start on the day "
        "it finished: reported, as the public validator does (rule 142 reports the open "
        "previous episode itself). An episode with no DECOM cannot be placed in order and is "
        "left to the rules on DECOM.",
    ),
    rule(
        "434",
        where(
            "Episodes",
            "t.RNE = 'L' AND p.CHILD IS NOT NULL AND (t.LS IS NOT DISTINCT FROM p.LS "
            "OR t.PLACE IS DISTINCT FROM p.PLACE OR pc(t.PL_POST) IS DISTINCT FROM pc(p.PL_POST) "
            "OR t.URN IS DISTINCT FROM p.URN OR t.PLACE_PROVIDER IS DISTINCT FROM p.PLACE_PROVIDER)",
            joins=PREV,
        ),
        fixture=fx(
            "Episodes",
            ["DECOM=01/05/2026 LS=C2 PLACE=U1", "DECOM=01/06/2026 RNE=L LS=C2 PLACE=U1"],
            ["DECOM=01/05/2026 LS=C1 PLACE=U1", "DECOM=01/06/2026 RNE=L LS=C2 PLACE=U1"],
            flagged=[("Episodes", 3)],
        ),
    ),
    rule(
        "435",
        where(
            "Episodes",
            "t.RNE IN ('P', 'T') AND p.CHILD IS NOT NULL AND (t.LS IS DISTINCT FROM p.LS "
            "OR (t.PLACE IS NOT DISTINCT FROM p.PLACE AND pc(t.PL_POST) IS NOT DISTINCT FROM "
            "pc(p.PL_POST) AND t.URN IS NOT DISTINCT FROM p.URN "
            "AND t.PLACE_PROVIDER IS NOT DISTINCT FROM p.PLACE_PROVIDER))",
            joins=PREV,
        ),
        fixture=fx(
            "Episodes",
            [
                "DECOM=01/05/2026 LS=C2 PLACE=U1",
                "DECOM=01/06/2026 RNE=P LS=C1 PLACE=U2",
                "CHILD=2 DECOM=01/05/2026 LS=C2 PLACE=U1 PL_POST=M1_1AE",
                "CHILD=2 DECOM=01/06/2026 RNE=T LS=C2 PLACE=U1 PL_POST=M1_1AE",
                "CHILD=3 DECOM=01/05/2026 LS=C2 PLACE=U1 PL_POST=M1_1AE",
                "CHILD=3 DECOM=01/06/2026 RNE=T LS=C1 PLACE=U1 PL_POST=M1_1AG",
            ],
            [
                "DECOM=01/05/2026 LS=C2 PLACE=U1",
                "DECOM=01/06/2026 RNE=P LS=C2 PLACE=U2",
                "CHILD=2 DECOM=01/05/2026 LS=C2 PLACE=U1 PL_POST=M1_1AE",
                "CHILD=2 DECOM=01/06/2026 RNE=T LS=C2 PLACE=U1 PL_POST=M1_1AG",
            ],
            flagged=[("Episodes", 3), ("Episodes", 5), ("Episodes", 7)],
        ),
        note="RNE P (change of placement and carers) and T (change of placement, same carers) "
        "both say the placement changed and the legal status did not: the legal status must "
        "be the previous episode's, and the placement (type, postcode, URN or provider) must "
        "differ. A first episode is not checked.",
    ),
    rule(
        "504",
        query(
            select(
                "Episodes",
                "t.CIN IS DISTINCT FROM f.CIN",
                "JOIN (SELECT CHILD, seq, first_value(CIN) OVER (PARTITION BY CHILD, period "
                "ORDER BY seq) AS CIN FROM (SELECT CHILD, seq, CIN, sum(CASE WHEN RNE = 'S' "
                "THEN 1 ELSE 0 END) OVER (PARTITION BY CHILD ORDER BY seq) AS period "
                'FROM "Episodes")) f ON f.CHILD = t.CHILD AND f.seq = t.seq',
            ),
            "Episodes",
        ),
        fixture=fx(
            "Episodes",
            ["DECOM=01/05/2026 RNE=S CIN=N1", "DECOM=01/06/2026 RNE=P CIN=N2"],
            [
                "DECOM=01/05/2026 RNE=S CIN=N1",
                "DECOM=01/06/2026 RNE=P CIN=N1",
                "DECOM=01/07/2026 RNE=S CIN=N4",
            ],
            flagged=[("Episodes", 3)],
        ),
        note="A period of care runs from an episode with RNE S to the next one.",
    ),
    rule(
        "336",
        where(
            "Episodes",
            "t.PLACE IN ('A3', 'A5') AND p.CHILD IS NOT NULL AND (p.PLACE IS NULL OR p.PLACE "
            "NOT IN ('A3', 'A4', 'A5', 'A6', 'U1', 'U2', 'U3', 'U4', 'U5', 'U6'))",
            joins=PREV,
        ),
        fixture=fx(
            "Episodes",
            [
                "DECOM=01/05/2026 PLACE=R1",
                "DECOM=01/06/2026 PLACE=A3 RNE=P",
                "CHILD=2 DECOM=01/05/2026 PLACE=K2",
                "CHILD=2 DECOM=01/06/2026 PLACE=A5 RNE=P",
            ],
            [
                "DECOM=01/05/2026 PLACE=U1",
                "DECOM=01/06/2026 PLACE=A3 RNE=P",
                # another placement for adoption just before: A4 then A5, A6 then A3
                "CHILD=2 DECOM=01/05/2026 PLACE=A4",
                "CHILD=2 DECOM=01/06/2026 PLACE=A5 RNE=P",
                "CHILD=3 DECOM=01/05/2026 PLACE=A6",
                "CHILD=3 DECOM=01/06/2026 PLACE=A3 RNE=P",
                "CHILD=4 DECOM=01/06/2026 PLACE=A5 RNE=S",  # first episode: nothing before
            ],
            flagged=[("Episodes", 3), ("Episodes", 5)],
        ),
        note="As the DfE's rule reads: where PLACE is A3 or A5, the episode before must be a "
        "placement for adoption (A3-A6) or foster care (U1-U6); a first episode is not checked. "
        "The public validator allows the same previous placements but checks A3 and A4 (not "
        "A5).",
    ),
    rule(
        "383",
        where(
            "Episodes",
            f"t.PLACE IN {TEMP} AND p.CHILD IS NOT NULL AND n.CHILD IS NOT NULL AND "
            "(n.PLACE IS DISTINCT FROM p.PLACE OR pc(n.PL_POST) IS DISTINCT FROM pc(p.PL_POST))",
            joins=PREV + " " + NEXT,
        ),
        fixture=fx(
            "Episodes",
            [
                "DECOM=01/05/2026 PLACE=U1 PL_POST=M1_1AE",
                "DECOM=01/06/2026 PLACE=T3",
                "DECOM=10/06/2026 PLACE=U2 PL_POST=M1_1AE",
            ],
            [
                "DECOM=01/05/2026 PLACE=U1 PL_POST=M1_1AE",
                "DECOM=01/06/2026 PLACE=T3",
                "DECOM=10/06/2026 PLACE=U1 PL_POST=M11AE",
            ],
            flagged=[("Episodes", 3)],
        ),
    ),
    rule("SW08STG2", no_overlap("SWEpisodes", "SW_DECOM", "SW_DEC", when="open")),
    rule("SW10STG2", no_overlap("SWEpisodes", "SW_DECOM", "SW_DEC", when="overlap")),
    rule("574", no_overlap("Missing", "MIS_START", "MIS_END")),
    rule("579", no_overlap("PlacedAdoption", "DATE_PLACED", "DATE_PLACED_CEASED")),
    rule("705", no_overlap("DoLo", "DOLO_START", "DOLO_END")),
]
