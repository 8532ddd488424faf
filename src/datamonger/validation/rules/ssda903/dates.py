"""SSDA903: valid dates, dates inside the collection year, dates in order."""

from __future__ import annotations

from datamonger.validation.rule import fx, rule
from datamonger.validation.rules.ssda903.b_common import each_year
from datamonger.validation.templates import date_order, in_year, valid_date, where

HEADER_DOB = "coalesce(h.DOB, t.DOB)"  # the Header's DOB, or the table's own when no Header row

RULES = [
    rule("102", valid_date("Header", "DOB", required=True)),
    rule("104", valid_date("UASC", "DUC")),
    rule("112", valid_date("AD1", "DATE_INT")),
    rule("113", valid_date("AD1", "DATE_MATCH")),
    rule("115", valid_date("PlacedAdoption", "DATE_PLACED")),
    rule("116", valid_date("PlacedAdoption", "DATE_PLACED_CEASED")),
    rule("141", valid_date("Episodes", "DECOM", required=True)),
    rule("147", valid_date("Episodes", "DEC")),
    rule("166", valid_date("Reviews", "REVIEW", required=True)),
    rule("171", valid_date("Header", "MC_DOB")),
    rule("1004", valid_date("Missing", "MIS_START")),
    rule("1005", valid_date("Missing", "MIS_END")),
    rule("SW04STG1", valid_date("SWEpisodes", "SW_DECOM")),
    rule("SW05STG1", valid_date("SWEpisodes", "SW_DEC")),
    rule("700", valid_date("DoLo", "DOLO_START", required=True)),
    rule("701", valid_date("DoLo", "DOLO_END")),
    # inside the collection year
    rule("301", in_year("Header", "DOB")),
    rule("354", in_year("Episodes", "DECOM")),
    rule("385", in_year("Episodes", "DEC")),
    rule("570", in_year("Missing", "MIS_START")),
    rule("571", in_year("Missing", "MIS_END", not_before_start=True)),
    rule("703", in_year("DoLo", "DOLO_START")),
    rule("704", in_year("DoLo", "DOLO_END", not_before_start=True)),
    rule("SW06STG2", in_year("SWEpisodes", "SW_DECOM")),
    rule("SW07STG2", in_year("SWEpisodes", "SW_DEC", not_before_start=True)),
    rule(
        "353",
        where("Episodes", "t.DECOM < DATE '1991-10-14'"),
        # a fixed day: the same dates in every year
        fixture=each_year(
            lambda _: fx("Episodes", ["DECOM=13/10/1991"], ["DECOM=14/10/1991", "DECOM="])
        ),
    ),
    # in order
    rule("356", date_order("Episodes", "DECOM", "DEC")),
    rule("333", date_order("AD1", "DATE_INT", "DATE_MATCH")),
    rule("522", date_order("PlacedAdoption", "DATE_PLACED", "DATE_PLACED_CEASED")),
    rule("567", date_order("Missing", "MIS_START", "MIS_END")),
    rule("702", date_order("DoLo", "DOLO_START", "DOLO_END")),
    rule("621", date_order("Header", "DOB", "MC_DOB", strict=True)),
    rule(
        "355",
        where("Episodes", "t.DEC = t.DECOM"),
        fixture=fx(
            "Episodes",
            ["DECOM=01/06/2026 DEC=01/06/2026"],
            ["DECOM=01/06/2026 DEC=02/06/2026", "DECOM=01/06/2026"],
        ),
    ),
    rule(
        "SW09STG2",
        where("SWEpisodes", "t.SW_DEC = t.SW_DECOM"),
        fixture=fx(
            "SWEpisodes",
            ["SW_DECOM=01/06/2026 SW_DEC=01/06/2026"],
            ["SW_DECOM=01/06/2026 SW_DEC=02/06/2026", "SW_DECOM=01/06/2026"],
        ),
    ),
    # before the child was born
    rule(
        "302",
        where("Episodes", "t.DECOM < h.DOB", header=True),
        fixture=fx(
            "Episodes",
            ["DECOM=01/01/2015"],
            ["DECOM=02/01/2015"],
            both={"Header": ["DOB=02/01/2015"]},
        ),
    ),
    rule(
        "184",
        where("PlacedAdoption", f"t.DATE_PLACED < {HEADER_DOB}", header=True),
        fixture=fx(
            "PlacedAdoption",
            ["DATE_PLACED=01/01/2015"],
            ["DATE_PLACED=02/01/2015"],
            both={"Header": ["DOB=02/01/2015"]},
        ),
    ),
    rule(
        "586",
        where("Missing", f"t.MIS_START < {HEADER_DOB}", header=True),
        fixture=fx(
            "Missing",
            ["MIS_START=01/01/2015 DOB=02/01/2015"],
            ["MIS_START=02/01/2015 DOB=02/01/2015"],
        ),
    ),
    rule(
        "708",
        where("DoLo", f"t.DOLO_START < {HEADER_DOB}", header=True),
        fixture=fx(
            "DoLo",
            ["DOLO_START=01/01/2015"],
            ["DOLO_START=02/01/2015"],
            both={"Header": ["DOB=02/01/2015"]},
        ),
    ),
    rule(
        "304",
        where("UASC", f"t.DUC > {HEADER_DOB} + INTERVAL 18 YEAR", header=True),
        fixture=fx(
            "UASC",
            ["DOB=01/06/2008 DUC=02/06/2026"],
            ["DOB=01/06/2008 DUC=01/06/2026", "DOB=01/06/2008"],
        ),
        note="On the 18th birthday is allowed; after it is not.",
    ),
    rule(
        "351",
        where("Header", "t.DOB + INTERVAL 25 YEAR < {start}"),
        fixture=fx("Header", ["DOB=31/03/2001"], ["DOB=01/04/2001"]),
        note="Over 25: the 25th birthday fell before 1 April.",
    ),
    rule(
        "117",
        where(
            "PlacedAdoption",
            "t.DATE_PLACED > {end} OR t.DATE_PLACED_CEASED > {end} OR "
            "greatest(t.DATE_PLACED, t.DATE_PLACED_CEASED) > ("
            'SELECT max(e.DEC) FROM "Episodes" e WHERE e.CHILD = t.CHILD AND e.REC IS NOT NULL '
            "AND e.REC <> 'X1' HAVING bool_and(e.DEC IS NOT NULL))",
        ),
        fixture=fx(
            "PlacedAdoption",
            ["DATE_PLACED=01/04/2027", "CHILD=2 DATE_PLACED=02/06/2026"],
            ["DATE_PLACED=31/03/2027", "CHILD=2 DATE_PLACED=01/06/2026"],
            both={"Episodes": ["CHILD=2 DECOM=01/05/2026 DEC=01/06/2026 REC=E13"]},
        ),
        note="After the child ceased: after the last DEC when every episode has ended.",
    ),
    rule(
        "118",
        where(
            "PlacedAdoption",
            "t.DATE_PLACED_CEASED < {start} OR t.DATE_PLACED_CEASED < ("
            "SELECT max(e.DECOM) FROM \"Episodes\" e WHERE e.CHILD = t.CHILD AND e.RNE = 'S')",
        ),
        fixture=fx(
            "PlacedAdoption",
            ["DATE_PLACED_CEASED=31/03/2026", "CHILD=2 DATE_PLACED_CEASED=01/05/2026"],
            ["DATE_PLACED_CEASED=01/04/2026", "CHILD=2 DATE_PLACED_CEASED=02/06/2026"],
            both={"Episodes": ["CHILD=2 DECOM=01/06/2026 RNE=S"]},
        ),
    ),
]
