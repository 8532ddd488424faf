"""SSDA903: values must be valid codes. Code sets that changed are written per first year in force."""

from __future__ import annotations

from datamonger.validation.rule import Fixture, rule
from datamonger.validation.templates import code_set, where

# PLACE: the DfE's placement types. 2024/25 added K3; 2025/26 removed H5, P2 and Z1 and split Z1
# into Z11-Z14 (the public validator writes K3 as `k3` in 2024/25: a known bug, not followed).
PLACE = {
    2023: "A3 A4 A5 A6 H5 K1 K2 P1 P2 P3 R1 R2 R3 R5 S1 T0 T1 T2 T3 T4 U1 U2 U3 U4 U5 U6 Z1",
    2025: "A3 A4 A5 A6 H5 K1 K2 K3 P1 P2 P3 R1 R2 R3 R5 S1 T0 T1 T2 T3 T4 U1 U2 U3 U4 U5 U6 Z1",
    2026: "A3 A4 A5 A6 K1 K2 K3 P1 P3 R1 R2 R3 R5 S1 T0 T1 T2 T3 T4 U1 U2 U3 U4 U5 U6 "
    "Z11 Z12 Z13 Z14",
}
# SEX: 1/2 until 2023/24; M/F/U from 2024/25.
SEX = {2023: "1 2", 2025: "M F U"}
ETHNIC = (
    "WBRI WIRI WOTH WIRT WROM MWBC MWBA MWAS MOTH AIND APKN ABAN AOTH BCRB BAFR BOTH CHNE OOTH "
    "REFU NOBT"
)
LS = "C1 C2 D1 E1 V2 V3 V4 J1 J2 J3 L1 L2 L3"
REC = "E11 E12 E2 E3 E4A E4B E13 E41 E45 E46 E47 E48 E5 E6 E7 E8 E9 E14 E15 E16 E17 X1"
OC2_FLAGS = [
    "CONVICTED",
    "HEALTH_CHECK",
    "IMMUNISATIONS",
    "TEETH_CHECK",
    "HEALTH_ASSESSMENT",
    "SUBSTANCE_MISUSE",
    "INTERVENTION_RECEIVED",
    "INTERVENTION_OFFERED",
]

RULES = [
    rule("101", code_set("Header", "SEX", SEX, blank_ok=False)),
    rule("103", code_set("Header", "ETHNIC", ETHNIC, blank_ok=False)),
    rule("114", code_set("AD1", "FOSTER_CARE", "0 1")),
    rule("120", code_set("PlacedAdoption", "REASON_PLACED_CEASED", "RD1 RD2 RD3 RD4")),
    rule("131", code_set("OC3", "IN_TOUCH", "YES NO DIED REFU NREQ RHOM")),
    rule("132", code_set("OC3", "ACTIV", "F1 P1 F2 P2 F4 P4 F5 P5 G4 G5 G6 0")),
    rule(
        "133",
        code_set(
            "OC3",
            "ACCOM",
            "B1 B2 C1 C2 D1 D2 E1 E2 G1 G2 H1 H2 K1 K2 R1 R2 S2 T1 T2 U1 U2 V1 V2 W1 W2 X2 "
            "Y1 Y2 Z1 Z2 0",
        ),
    ),
    rule("143", code_set("Episodes", "RNE", "S P L T U B")),
    rule("144", code_set("Episodes", "LS", LS)),
    rule("145", code_set("Episodes", "CIN", "N1 N2 N3 N4 N5 N6 N7 N8")),
    rule("146", code_set("Episodes", "PLACE", PLACE)),
    rule("149", code_set("Episodes", "REC", REC)),
    rule(
        "167", code_set("Reviews", "REVIEW_CODE", "PN0 PN1 PN2 PN3 PN4 PN5 PN6 PN7", blank_ok=False)
    ),
    rule("175", code_set("AD1", "NB_ADOPTR", "1 2")),
    rule("176", code_set("AD1", "SEX_ADOPTR", "M1 F1 MM FF MF")),
    rule("177", code_set("AD1", "LS_ADOPTR", "L0 L11 L12 L2 L3 L4")),
    rule("178", code_set("Episodes", "PLACE_PROVIDER", "PR0 PR1 PR2 PR3 PR4 PR5")),
    rule(
        "180",
        where(
            "OC2",
            "NOT blank(t.SDQ_SCORE_raw) AND (t.SDQ_SCORE IS NULL OR t.SDQ_SCORE NOT BETWEEN 0 AND 40)",
        ),
        fixture=Fixture(
            failing={"OC2": [{"CHILD": "1", "SDQ_SCORE": "41"}, {"CHILD": "2", "SDQ_SCORE": "x"}]},
            passing={
                "OC2": [
                    {"CHILD": "1", "SDQ_SCORE": "0"},
                    {"CHILD": "2", "SDQ_SCORE": "40"},
                    {"CHILD": "3", "SDQ_SCORE": ""},
                ]
            },
        ),
    ),
    rule(
        "181",
        where("OC2", " OR ".join(f"t.{f} NOT IN ('0', '1')" for f in OC2_FLAGS)),
        fixture=Fixture(
            failing={"OC2": [{"CHILD": "1", "CONVICTED": "2"}, {"CHILD": "2", "TEETH_CHECK": "Y"}]},
            passing={"OC2": [{"CHILD": "1", **dict.fromkeys(OC2_FLAGS, "1")}, {"CHILD": "2"}]},
        ),
        note="Blank values pass here: rules 182, 190 and 191 say when the items are required.",
    ),
    rule("196", code_set("OC2", "SDQ_REASON", "SDQ1 SDQ2 SDQ3 SDQ4 SDQ5")),
    rule("631", code_set("PrevPerm", "PREV_PERM", "P1 P2 P3 P4 Z1")),
    rule("1006", code_set("Missing", "MISSING", "M A")),
    rule(
        "1009",
        code_set(
            "Episodes",
            "REASON_PLACE_CHANGE",
            "CARPL CLOSE ALLEG STAND APPRR CREQB CREQO CHILD LAREQ PLACE CUSTOD OTHER",
        ),
    ),
    rule(
        "SW13STG1",
        code_set(
            "SWEpisodes",
            "SW_REASON",
            "MANAGE FCONTA LEFTRL ORGRST TSPROC ABSENC CHCHAN PCCHAN SWDIED OTHERS",
        ),
    ),
    rule(
        "SW02STG1",
        where("SWEpisodes", "t.SW_ID IS NOT NULL AND left(t.SW_ID, 2) NOT IN ('SW', 'XX')"),
        fixture=Fixture(
            failing={"SWEpisodes": [{"CHILD": "1", "SW_ID": "AB123"}]},
            passing={
                "SWEpisodes": [{"CHILD": "1", "SW_ID": "sw123"}, {"CHILD": "2", "SW_ID": "XX"}]
            },
        ),
    ),
    rule(
        "168",
        where(
            "Header",
            "t.UPN IS NOT NULL AND NOT regexp_full_match(t.UPN, "
            "'[A-HJ-NP-RT-Z][0-9]{12}|[A-HJ-NP-RT-Z][0-9]{11}[A-Z]|UN[1-5]')",
        ),
        fixture=Fixture(
            failing={
                "Header": [
                    {"CHILD": "1", "UPN": "I123456789012"},
                    {"CHILD": "2", "UPN": "A12345678901"},
                    {"CHILD": "3", "UPN": "UN6"},
                ]
            },
            passing={
                "Header": [
                    {"CHILD": "1", "UPN": "A123456789012"},
                    {"CHILD": "2", "UPN": "a12345678901b"},
                    {"CHILD": "3", "UPN": "UN5"},
                    {"CHILD": "4", "UPN": ""},
                ]
            },
        ),
        note="One letter other than I, O or S, then 12 digits or 11 digits and a letter; or UN1-UN5.",
    ),
]
