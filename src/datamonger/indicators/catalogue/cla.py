"""Children looked after (SSDA903) indicators, declared as data.

General exclusion (DfE): children looked after under an agreed series of short-term placements
(short breaks, legal status V3/V4) are left out; `dm_903_care` holds every other episode, with
periods of care, new placements and carer starts worked out (see `indicators/prepare.py`).
"""

from __future__ import annotations

from typing import Any

from datamonger.indicators.catalogue import (
    BETTER_OFF,
    COUNT,
    HIGH,
    HOW_MUCH,
    HOW_WELL,
    LOW,
    MEAN,
    NEITHER,
    RATE,
    SHARE,
    register,
)
from datamonger.indicators.model import Indicator

RATES = "cla_number_and_rate_per_10k_children.csv"
STABILITY = "la_cla_placement_stability.csv"
LEAVERS = "la_care_leavers_activity.csv"
ACCOM = "la_care_leavers_accommodation_suitability.csv"
HEALTH = "la_conviction_health_outcome_cla.csv"
SHORT_BREAKS = "Children looked after only under short breaks (legal status V3/V4)."


def cla(**kw: Any) -> Indicator:
    kw.setdefault("exclusions", SHORT_BREAKS)
    ind = Indicator(return_="ssda903", **kw)
    register(ind)
    return ind


CLA_AT_END = """
    SELECT child_id, {num} AS numerator, true AS denominator, NULL::DOUBLE AS value,
           DECOM, LS, PLACE, PL_POST, poc_start, carer_start, dob, age_at_end
    FROM dm_cla_at_end"""
STARTED = """
    SELECT child_id, true AS numerator, true AS denominator, NULL::DOUBLE AS value,
           min(poc_start) AS started, arg_min(LS, DECOM) AS LS, arg_min(PLACE, DECOM) AS PLACE
    FROM dm_903_care WHERE poc_start BETWEEN :start AND :end AND DECOM = poc_start
    GROUP BY child_id"""
CEASED = """
    SELECT child_id, {num} AS numerator, true AS denominator, NULL::DOUBLE AS value,
           ceased, REC, poc_start
    FROM dm_cla_ceased"""
# Looked after continuously through the whole period (the OC2 cohort: 12 months at 31 March).
TWELVE_MONTHS = """
    SELECT c.child_id, {num} AS numerator, true AS denominator, {value} AS value,
           c.poc_start, c.age_at_end, o.CHILD IS NOT NULL AS in_oc2, {shown}
    FROM dm_cla_at_end c LEFT JOIN dm_903_oc2 o ON o.child_id = c.child_id
    WHERE c.poc_start <= :start AND {where}"""


def twelve_months(num: str, shown: str, where: str = "true", value: str = "NULL::DOUBLE") -> str:
    return TWELVE_MONTHS.format(num=num, shown=shown, where=where, value=value)


cla(
    id="cla_at_end",
    group="Children looked after",
    title="Children looked after at the period end",
    description="How many children were looked after on the last day of the period.",
    category=HOW_MUCH,
    polarity=NEITHER,
    template=COUNT,
    numerator="Children with an episode open on the period end (DECOM on or before it, DEC "
    "blank or after it).",
    denominator="-",
    sql=CLA_AT_END.format(num="true"),
    lait="LACnum",
    ees=f"{RATES}: children_count (Children looked after on 31 March each year)",
)
cla(
    id="cla_rate",
    group="Children looked after",
    title="Children looked after per 10,000 children",
    description="Children looked after at the period end per 10,000 children aged 0-17.",
    category=HOW_MUCH,
    polarity=NEITHER,
    template=RATE,
    numerator="Children looked after at the period end.",
    denominator="ONS mid-year estimate of children aged 0-17 / 10,000.",
    sql=CLA_AT_END.format(num="true"),
    lait="LAC",
    ees=f"{RATES}: rate_per_10000 (Children looked after on 31 March each year)",
)
cla(
    id="cla_started",
    group="Children looked after",
    title="Children starting to be looked after",
    description="How many children started to be looked after in the period.",
    category=HOW_MUCH,
    polarity=NEITHER,
    template=COUNT,
    numerator="Children with a period of care starting in the period (counted once).",
    denominator="-",
    sql=STARTED,
    lait="LACnum_Start",
    ees=f"{RATES}: children_count (Children starting to be looked after each year)",
)
cla(
    id="cla_started_rate",
    group="Children looked after",
    title="Children starting to be looked after per 10,000 children",
    description="Children starting to be looked after in the period per 10,000 children aged 0-17.",
    category=HOW_MUCH,
    polarity=NEITHER,
    template=RATE,
    numerator="Children starting to be looked after in the period.",
    denominator="ONS mid-year estimate of children aged 0-17 / 10,000.",
    sql=STARTED,
    lait="LAC_Start_Rate",
)
cla(
    id="cla_ceased",
    group="Children looked after",
    title="Children ceasing to be looked after",
    description="How many children ceased to be looked after in the period.",
    category=HOW_MUCH,
    polarity=NEITHER,
    template=COUNT,
    numerator="Children whose period of care ended in the period (last occasion; counted once).",
    denominator="-",
    sql=CEASED.format(num="true"),
    lait="LACceased",
    ees=f"{RATES}: children_count (Children ceasing to be looked after each year)",
)
cla(
    id="cla_ceased_rate",
    group="Children looked after",
    title="Children ceasing to be looked after per 10,000 children",
    description="Children ceasing to be looked after in the period per 10,000 children aged 0-17.",
    category=HOW_MUCH,
    polarity=NEITHER,
    template=RATE,
    numerator="Children ceasing to be looked after in the period.",
    denominator="ONS mid-year estimate of children aged 0-17 / 10,000.",
    sql=CEASED.format(num="true"),
    lait="LAC_Cease_Rate",
)

# --- placements -----------------------------------------------------------------------------
PLACEMENT_CHOICE = (
    "A new placement starts with RNE S, P or B; L (legal status only), T and U (same carer) do "
    "not (`placement_moves=placement` counts T and U too). Temporary placements T0-T4 and the "
    "return to the same carer after one are not new placements (`temporary_placements=count` "
    "counts them). Episodes of 0 nights (DEC = DECOM) are not placements (24h rule)."
)
cla(
    id="placements_3plus",
    group="Placements",
    title="Children with 3 or more placements in the period",
    description="Share of children looked after at the period end who had 3 or more "
    "placements during the period (short-term placement stability).",
    category=HOW_WELL,
    polarity=LOW,
    template=SHARE,
    numerator="Children whose count of placements is 3 or more: the placement open on the "
    "period start (if any) plus each new placement starting in the period.",
    denominator="Children looked after at the period end.",
    choice=PLACEMENT_CHOICE,
    sql="""
    WITH n AS (
        SELECT c.child_id,
               max(CASE WHEN c.DECOM < :start
                         AND dm_open_on(c.DECOM, c.DEC, c.known_until, :start) THEN 1 ELSE 0 END)
               + count(*) FILTER (WHERE c.new_placement AND c.DECOM BETWEEN :start AND :end)
                 AS placements,
               list(c.DECOM ORDER BY c.DECOM) FILTER (
                   WHERE c.new_placement AND c.DECOM BETWEEN :start AND :end) AS new_placements
        FROM dm_903_care c WHERE c.child_id IN (SELECT child_id FROM dm_cla_at_end)
        GROUP BY c.child_id)
    SELECT child_id, placements >= 3 AS numerator, true AS denominator, NULL::DOUBLE AS value,
           placements, new_placements
    FROM n""",
    settings=("placement_moves", "temporary_placements"),
    lookback_years=1,
    lait="LACStable_2016on",
    ees=f"{STABILITY}: CLA on 31 March x With 3 or more placements during the year",
)
cla(
    id="placement_long_term",
    group="Placements",
    title="Long-term placement stability",
    description="Share of children under 16 looked after for 2.5 years or more who had lived "
    "with the same carer for at least 2 years.",
    category=BETTER_OFF,
    polarity=HIGH,
    template=SHARE,
    numerator="Of the denominator, children whose current carer started on or before the "
    "period end minus 2 years (walking back over episodes that are not new placements), or "
    "who are placed for adoption (A3-A6) where the adoptive placement and the placement "
    "before it together cover 2 years.",
    denominator="Children looked after at the period end, aged under 16 on it, whose period of "
    "care started on or before the period end minus 30 months.",
    choice=PLACEMENT_CHOICE,
    sql="""
    SELECT child_id,
           carer_start <= (:end - INTERVAL 2 YEAR)::DATE
           OR (PLACE IN ('A3', 'A4', 'A5', 'A6')
               AND prev_carer_start <= (:end - INTERVAL 2 YEAR)::DATE) AS numerator,
           true AS denominator, NULL::DOUBLE AS value,
           poc_start, carer_start, prev_carer_start, PLACE, age_at_end
    FROM dm_cla_at_end
    WHERE age_at_end < 16 AND poc_start <= (:end - INTERVAL 30 MONTH)::DATE""",
    settings=("placement_moves", "temporary_placements"),
    years=3,
    lait="LAC_LongStable%",
    ees=f"{STABILITY}: Children looked after continuously for at least 2.5 years ... x Living "
    "with the same carer for at least 2 years",
)
cla(
    id="placed_20_miles_out",
    group="Placements",
    title="Placed more than 20 miles from home and outside the LA",
    description="Share of children looked after at the period end placed more than 20 miles "
    "from home and outside the LA boundary.",
    category=HOW_WELL,
    polarity=LOW,
    template=SHARE,
    numerator="Children whose placement postcode (PL_POST) is more than 20 miles in a straight "
    "line from the home postcode (HOME_POST) and lies outside the LA (upper-tier LA of the "
    "placement postcode differs from the LA's own).",
    denominator="Children looked after at the period end.",
    choice="Distance between the OS grid references of the two postcodes (ONS postcode "
    "directory), metres / 1,609.3. HOME_POST of the current episode stands in for the home "
    "address from which the child was first placed. Children with an unknown or missing "
    "postcode stay in the denominator (noted).",
    sql="""
    SELECT c.child_id,
           coalesce(sqrt((h.easting - p.easting) ^ 2 + (h.northing - p.northing) ^ 2) / 1609.3
                    > 20 AND p.utla_code <> :la_ons, false) AS numerator,
           true AS denominator, NULL::DOUBLE AS value, c.HOME_POST, c.PL_POST,
           round(sqrt((h.easting - p.easting) ^ 2 + (h.northing - p.northing) ^ 2) / 1609.3, 1)
             AS miles,
           p.utla_code AS placement_la
    FROM dm_cla_at_end c
    LEFT JOIN dm_postcodes h ON h.postcode = c.HOME_POST
    LEFT JOIN dm_postcodes p ON p.postcode = c.PL_POST""",
    needs=("postcodes", "la"),
    checks=(
        (
            """SELECT count(*) FROM dm_cla_at_end c
               WHERE c.HOME_POST IS NULL OR c.PL_POST IS NULL
                  OR c.HOME_POST NOT IN (SELECT postcode FROM dm_postcodes)
                  OR c.PL_POST NOT IN (SELECT postcode FROM dm_postcodes)""",
            "{n} children have a home or placement postcode that is missing or not in the "
            "postcode directory: counted as not placed far away",
        ),
    ),
    lait="LACDistance",
)
PLACE_GROUPS = {
    "foster": ("in foster care", "U1 U2 U3 U4 U5 U6", "LAC_Foster_Placements", HIGH),
    "homes": ("in secure units or children's homes", "K1 K2", "LAC_SecHome_And_ChildHome", NEITHER),
    "independent": (
        "in independent or semi-independent living or supported accommodation",
        "H5 P2 K3",
        "LAC_Ind_SInd_Liv_Arr",
        NEITHER,
    ),
    "other_residential": (
        "in other residential settings",
        "R1 R2 R3 R5 S1",
        "LAC_Other_Res_Settings",
        NEITHER,
    ),
    "parents": (
        "placed with parents or others with parental responsibility",
        "P1",
        "LAC_Parents_OR_Others",
        NEITHER,
    ),
    "adoption": ("placed for adoption", "A3 A4 A5 A6", None, NEITHER),
    "other": (
        "in other placements",
        "P3 Z1 Z11 Z12 Z13 Z14 T0 T1 T2 T3 T4",
        "LAC_Other_Place_Inc_Unreg",
        NEITHER,
    ),
}
for key, (label, codes, lait, polarity) in PLACE_GROUPS.items():
    in_list = ", ".join(f"'{c}'" for c in codes.split())
    cla(
        id=f"placement_type_{key}",
        group="Placement types",
        title=f"Children looked after {label}",
        description=f"Share of children looked after at the period end who were {label}.",
        category=HOW_MUCH,
        polarity=polarity,
        template=SHARE,
        numerator=f"Children looked after at the period end whose current PLACE is {codes}.",
        denominator="Children looked after at the period end.",
        sql=CLA_AT_END.format(num=f"coalesce(PLACE IN ({in_list}), false)"),
        lait=lait,
    )

# --- missing --------------------------------------------------------------------------------
MISSING = """
    SELECT d.child_id, count(m.CHILD) > 0 AS numerator, true AS denominator,
           NULL::DOUBLE AS value, count(m.CHILD) AS incidents,
           list(m.MIS_START ORDER BY m.MIS_START) FILTER (WHERE m.CHILD IS NOT NULL)
             AS incident_starts
    FROM dm_cla_during d
    LEFT JOIN dm_903_missing m ON m.child_id = d.child_id
         AND upper(trim(m.MISSING)) = '{code}'
         AND dm_open_during(m.MIS_START, m.MIS_END, m.known_until, :start, :end)
    GROUP BY d.child_id"""
cla(
    id="missing_children",
    group="Missing and away",
    title="Children looked after who went missing",
    description="Share of children looked after during the period who had at least one "
    "missing incident.",
    category=HOW_WELL,
    polarity=LOW,
    template=SHARE,
    numerator="Children with a Missing record of type M open at some time in the period "
    "(incidents open on the period start included).",
    denominator="Children looked after at any time in the period.",
    choice="DfE warns that many LAs record all incidents as missing rather than away.",
    sql=MISSING.format(code="M"),
    lait="Children_missing",
)
cla(
    id="away_children",
    group="Missing and away",
    title="Children looked after away from placement without authorisation",
    description="Share of children looked after during the period who were away from their "
    "placement without authorisation at least once.",
    category=HOW_WELL,
    polarity=LOW,
    template=SHARE,
    numerator="Children with a Missing record of type A open at some time in the period.",
    denominator="Children looked after at any time in the period.",
    sql=MISSING.format(code="A"),
    lait="Children_Away",
)
cla(
    id="missing_incidents",
    group="Missing and away",
    title="Missing incidents",
    description="How many missing incidents of children looked after started in the period.",
    category=HOW_MUCH,
    polarity=NEITHER,
    template=COUNT,
    numerator="Missing records of type M with MIS_START in the period.",
    denominator="-",
    exclusions="",
    sql="""
    SELECT child_id, true AS numerator, true AS denominator, NULL::DOUBLE AS value,
           MIS_START, MIS_END
    FROM dm_903_missing
    WHERE upper(trim(MISSING)) = 'M' AND MIS_START BETWEEN :start AND :end""",
)

# --- leaving care: adoption, SGO, CAO -------------------------------------------------------
LEAVER_SHARE = "All children ceasing to be looked after in the period (last occasion per child)."
cla(
    id="adopted_share",
    group="Permanence",
    title="Children adopted (share of leavers)",
    description="Share of children leaving care in the period who were adopted.",
    category=BETTER_OFF,
    polarity=HIGH,
    template=SHARE,
    numerator="Children whose last period of care ending in the period ended with REC E11 "
    "(adoption unopposed) or E12 (consent dispensed with).",
    denominator=LEAVER_SHARE,
    sql=CEASED.format(num="coalesce(REC IN ('E11', 'E12'), false)"),
    lait="%_of LAC Adopted",
)
cla(
    id="sgo_share",
    group="Permanence",
    title="Children leaving care on a special guardianship order",
    description="Share of children leaving care in the period on a special guardianship order.",
    category=BETTER_OFF,
    polarity=NEITHER,
    template=SHARE,
    numerator="Leavers with REC E45, E46, E47, E48 (and E43, E44 in returns before 2018-19).",
    denominator=LEAVER_SHARE,
    choice="LAIT's methodology still names only E43/E44 (stale); the code set has E45-E48. "
    "E43-E48 are all counted so a time series stays comparable.",
    sql=CEASED.format(num="coalesce(REC IN ('E43', 'E44', 'E45', 'E46', 'E47', 'E48'), false)"),
    lait="LAC_ceased_SGO%",
)
cla(
    id="cao_share",
    group="Permanence",
    title="Children leaving care on a child arrangements order",
    description="Share of children leaving care in the period on a residence or child "
    "arrangements order.",
    category=BETTER_OFF,
    polarity=NEITHER,
    template=SHARE,
    numerator="Leavers with REC E41.",
    denominator=LEAVER_SHARE,
    sql=CEASED.format(num="coalesce(REC = 'E41', false)"),
    lait="LAC_ceased_CAO%",
)

# Children adopted in the 3 years to the period end, with their adoption timeline.
ADOPTED_3Y = """
    WITH adopted AS (
        SELECT child_id, poc, max(poc_end) AS adopted_on, any_value(poc_start) AS entered_care,
               bool_and(poc_start_known) AS start_known,
               min(DECOM) FILTER (WHERE PLACE IN ('A3', 'A4', 'A5', 'A6')) AS placed_episode,
               arg_min(carer_start, DECOM) FILTER (WHERE PLACE IN ('A3', 'A4', 'A5', 'A6'))
                 AS adopters_carer_start,
               min(DECOM) FILTER (WHERE LS = 'E1') AS placement_order
        FROM dm_903_care
        WHERE poc_end BETWEEN (:end - INTERVAL 3 YEAR + INTERVAL 1 DAY)::DATE AND :end
          AND poc_end_reason IN ('E11', 'E12')
        GROUP BY child_id, poc),
    t AS (
        SELECT a.*,
               coalesce(a.placed_episode,
                        (SELECT max(p.DATE_PLACED) FROM dm_903_placed_adoption p
                          WHERE p.child_id = a.child_id AND p.DATE_PLACED <= a.adopted_on))
                 AS placed_for_adoption,
               d.DATE_MATCH AS matched, d.FOSTER_CARE AS foster_carer_adoption
        FROM adopted a LEFT JOIN dm_903_ad1 d ON d.child_id = a.child_id)
    SELECT child_id, {num} AS numerator, {den} AS denominator, {value} AS value,
           entered_care, placement_order, matched, placed_for_adoption, adopters_carer_start,
           adopted_on, foster_carer_adoption
    FROM t WHERE start_known"""
ADOPTION_CHECK = (
    """SELECT count(DISTINCT child_id) FROM dm_903_care
       WHERE poc_end BETWEEN (:end - INTERVAL 3 YEAR + INTERVAL 1 DAY)::DATE AND :end
         AND poc_end_reason IN ('E11', 'E12') AND NOT poc_start_known""",
    "{n} children adopted in the 3 years are left out: their period of care began before the "
    "earliest loaded return",
)
ADOPTION_NOTE = (
    "Children adopted whose period of care began before the earliest loaded 903 return are "
    "left out (their entry date is not known): load older returns to include them."
)
cla(
    id="adoption_a1",
    group="Adoption timeliness",
    title="A1: days from entering care to moving in with the adoptive family",
    description="Average days, for children adopted in the last 3 years, between entering care "
    "and being placed for adoption.",
    category=HOW_WELL,
    polarity=LOW,
    template=MEAN,
    numerator="Sum over the children of the days from the start of the period of care that "
    "ended in adoption to the date placed for adoption (first A3-A6 episode, else "
    "PlacedAdoption DATE_PLACED).",
    denominator="Children adopted (REC E11/E12) in the 3 years ending on the period end, with "
    "a date placed.",
    exclusions=ADOPTION_NOTE,
    choice="Scorecard threshold 426 days (14 months).",
    sql=ADOPTED_3Y.format(
        num="placed_for_adoption IS NOT NULL",
        den="placed_for_adoption IS NOT NULL",
        value="(placed_for_adoption - entered_care)::DOUBLE",
    ),
    years=3,
    checks=(ADOPTION_CHECK,),
)
cla(
    id="adoption_a10",
    group="Adoption timeliness",
    title="A10: days from entering care to moving in with the adoptive family (foster carer "
    "adoptions adjusted)",
    description="As A1, but for children adopted by their foster carers the end date is when "
    "they moved in with those carers.",
    category=HOW_WELL,
    polarity=LOW,
    template=MEAN,
    numerator="As A1, with the end date replaced by the start of the placement with the "
    "adopters (walking back over same-carer moves, RNE L/T/U) when that is earlier.",
    denominator="As A1.",
    exclusions=ADOPTION_NOTE,
    choice="The move-in date is read from the episodes (carer start of the adoption "
    "placement), so it works whether or not AD1 FOSTER_CARE was filled in.",
    sql=ADOPTED_3Y.format(
        num="placed_for_adoption IS NOT NULL",
        den="placed_for_adoption IS NOT NULL",
        value="(least(placed_for_adoption, coalesce(adopters_carer_start, placed_for_adoption))"
        " - entered_care)::DOUBLE",
    ),
    years=3,
    settings=("placement_moves", "temporary_placements"),
    checks=(ADOPTION_CHECK,),
)
cla(
    id="adoption_a2",
    group="Adoption timeliness",
    title="A2: days from placement order to match",
    description="Average days, for children adopted in the last 3 years, between the court's "
    "authority to place and the LA deciding the match.",
    category=HOW_WELL,
    polarity=LOW,
    template=MEAN,
    numerator="Sum of days from the placement order (first episode with LS E1 in the period of "
    "care) to AD1 DATE_MATCH; 0 when matched before the order.",
    denominator="Children adopted in the 3 years with a placement order and a match date.",
    exclusions=ADOPTION_NOTE,
    choice="Scorecard threshold 121 days (4 months).",
    sql=ADOPTED_3Y.format(
        num="placement_order IS NOT NULL AND matched IS NOT NULL",
        den="placement_order IS NOT NULL AND matched IS NOT NULL",
        value="greatest(matched - placement_order, 0)::DOUBLE",
    ),
    years=3,
    checks=(ADOPTION_CHECK,),
)
cla(
    id="adoption_a3",
    group="Adoption timeliness",
    title="A3: children adopted who waited less than 14 months",
    description="Share of children adopted in the last 3 years who moved in with their "
    "adoptive family within 14 months of entering care.",
    category=HOW_WELL,
    polarity=HIGH,
    template=SHARE,
    numerator="Of the denominator, children placed for adoption before the date 14 calendar "
    "months after entering care.",
    denominator="Children adopted in the 3 years ending on the period end, with a date placed.",
    exclusions=ADOPTION_NOTE,
    sql=ADOPTED_3Y.format(
        num="placed_for_adoption < (entered_care + INTERVAL 14 MONTH)::DATE",
        den="placed_for_adoption IS NOT NULL",
        value="NULL::DOUBLE",
    ),
    years=3,
    checks=(ADOPTION_CHECK,),
)

# --- care leavers (OC3) ---------------------------------------------------------------------
CARE_LEAVERS = """
    SELECT o.child_id, {num} AS numerator, {den} AS denominator, NULL::DOUBLE AS value,
           dm_age(o.DOB, :end) AS age, upper(trim(o.IN_TOUCH)) AS IN_TOUCH,
           upper(trim(o.ACTIV)) AS ACTIV, upper(trim(o.ACCOM)) AS ACCOM
    FROM dm_903_oc3 o
    WHERE dm_age(o.DOB, :end) BETWEEN {low} AND {high}
      AND coalesce(upper(trim(o.IN_TOUCH)), '') NOT IN ('DIED', 'RHOM')"""
EET = "coalesce(upper(trim(o.ACTIV)) IN ('F1','F2','F3','F4','F5','P1','P2','P3','P4','P5'), false)"
SUITABLE = "coalesce(right(upper(trim(o.ACCOM)), 1) = '1', false)"
ACCOM_DEN = "coalesce(left(upper(trim(o.ACCOM)), 1), '') NOT IN ('G', 'H', 'R')"
LEAVER_CHOICE = (
    "Cohort = OC3 rows of the period's return whose age on the period end (the birthday in the "
    "year) is in range; IN_TOUCH DIED and RHOM are excluded, NO/REFU/NREQ stay in. The 13-weeks "
    "eligibility is the LA's when it builds OC3."
)
for low, high in ((19, 21), (17, 18)):
    ages = f"{low}_{high}"
    cla(
        id=f"care_leavers_eet_{ages}",
        group="Care leavers",
        title=f"Care leavers aged {low}-{high} in education, employment or training",
        description=f"Share of care leavers whose {low}th-{high}st birthday fell in the period "
        f"who were in education, employment or training.".replace("18st", "18th"),
        category=BETTER_OFF,
        polarity=HIGH,
        template=SHARE,
        numerator="Of the denominator, ACTIV F1-F5 or P1-P5.",
        denominator=f"Former relevant young people (OC3) aged {low}-{high}.",
        exclusions="Short breaks only; died; returned home to parents for 6+ months.",
        choice=LEAVER_CHOICE,
        sql=CARE_LEAVERS.format(num=EET, den="true", low=low, high=high),
        needs=("oc3",),
        lait="CareLeaverEET" if low == 19 else None,
        ees=f"{LEAVERS}: {low} to {high} years x Total in education, employment or training",
        benchmark=None
        if low == 19
        else "la_care_leavers_activity:care_leaver_percent[care_leaver_age=17 to 18 years;"
        "breakdown=Total in education, employment or training]",
    )
    cla(
        id=f"care_leavers_accommodation_{ages}",
        group="Care leavers",
        title=f"Care leavers aged {low}-{high} in suitable accommodation",
        description=f"Share of care leavers aged {low}-{high} judged to be in suitable "
        f"accommodation.",
        category=BETTER_OFF,
        polarity=HIGH,
        template=SHARE,
        numerator="Of the denominator, ACCOM ending in 1 (judged suitable).",
        denominator=f"Former relevant young people (OC3) aged {low}-{high}, also excluding "
        f"those gone abroad (G), deported (H) or residence not known (R).",
        exclusions="Short breaks only; died; returned home to parents for 6+ months.",
        choice=LEAVER_CHOICE,
        sql=CARE_LEAVERS.format(
            num=f"{SUITABLE} AND {ACCOM_DEN}", den=ACCOM_DEN, low=low, high=high
        ),
        needs=("oc3",),
        lait="CareLeaverAcc" if low == 19 else None,
        ees=f"{ACCOM}: {low} to {high} years x Accommodation considered suitable",
        benchmark=None
        if low == 19
        else "la_care_leavers_accommodation_suitability:care_leaver_percent["
        "care_leaver_age=17 to 18 years;breakdown=Accommodation considered suitable]",
    )
cla(
    id="care_leavers_neet_19_21",
    group="Care leavers",
    title="Care leavers aged 19-21 not in education, employment or training",
    description="Share of care leavers aged 19-21 who were not in education, employment or "
    "training.",
    category=BETTER_OFF,
    polarity=LOW,
    template=SHARE,
    numerator="Of the denominator, ACTIV G4, G5 or G6.",
    denominator="Former relevant young people (OC3) aged 19-21.",
    choice=LEAVER_CHOICE,
    sql=CARE_LEAVERS.format(
        num="coalesce(upper(trim(o.ACTIV)) IN ('G4', 'G5', 'G6'), false)",
        den="true",
        low=19,
        high=21,
    ),
    needs=("oc3",),
    lait="CareLeaversNEET",
    ees=f"{LEAVERS}: 19 to 21 years x Total not in education, employment or training",
)
cla(
    id="care_leavers_he_19_21",
    group="Care leavers",
    title="Care leavers aged 19-21 in higher education",
    description="Share of care leavers aged 19-21 who were in higher education.",
    category=BETTER_OFF,
    polarity=HIGH,
    template=SHARE,
    numerator="Of the denominator, ACTIV F1 or P1.",
    denominator="Former relevant young people (OC3) aged 19-21.",
    choice=LEAVER_CHOICE,
    sql=CARE_LEAVERS.format(
        num="coalesce(upper(trim(o.ACTIV)) IN ('F1', 'P1'), false)", den="true", low=19, high=21
    ),
    needs=("oc3",),
    lait="LAC_19_HE",
)
cla(
    id="care_leavers_not_in_touch_19_21",
    group="Care leavers",
    title="Care leavers aged 19-21 the LA is not in touch with",
    description="Share of care leavers aged 19-21 with whom the LA was not in touch.",
    category=HOW_WELL,
    polarity=LOW,
    template=SHARE,
    numerator="Of the denominator, IN_TOUCH NO.",
    denominator="Former relevant young people (OC3) aged 19-21.",
    choice=LEAVER_CHOICE + " Refused contact (REFU) is not counted as 'not in touch'.",
    sql=CARE_LEAVERS.format(
        num="coalesce(upper(trim(o.IN_TOUCH)) = 'NO', false)", den="true", low=19, high=21
    ),
    needs=("oc3",),
    lait="CareLeavers_LA_NotInTouch",
)

# --- outcomes (OC2) -------------------------------------------------------------------------
OC2_CHECK = (
    """SELECT count(*) FROM dm_cla_at_end c WHERE c.poc_start <= :start
       AND c.child_id NOT IN (SELECT child_id FROM dm_903_oc2)""",
    "{n} children looked after for the 12 months have no OC2 row (counted as not having it)",
)
OC2_CHOICE = (
    "Cohort worked out from the episodes: looked after at the period end and continuously "
    "since the period start (every day of the 12 months), then joined to the OC2 table of "
    "the period's return; a child of the cohort with no OC2 row counts in the denominator only."
)
for key, column, label, lait, wording in (
    ("health_assessment", "HEALTH_ASSESSMENT", "had their annual health assessment",
     "LACHealth%", "Had their annual health assessment"),
    ("immunisations", "IMMUNISATIONS", "had their immunisations up to date",
     "LACVaccinations%", "Had their immunisations up to date"),
    ("teeth", "TEETH_CHECK", "had their teeth checked by a dentist", "LACDental%",
     "Had their teeth checked by a dentist"),
):  # fmt: skip
    cla(
        id=f"oc2_{key}",
        group="Health and wellbeing",
        title=f"Children looked after 12 months who {label}",
        description=f"Share of children looked after for at least 12 months who {label}.",
        category=BETTER_OFF,
        polarity=HIGH,
        template=SHARE,
        numerator=f"Of the denominator, OC2 {column} = 1.",
        denominator="Children looked after at the period end and continuously for the 12 "
        "months before.",
        choice=OC2_CHOICE,
        sql=twelve_months(
            f"coalesce(trim(o.{column}) = '1', false)", f"o.{column} AS {column.lower()}"
        ),
        needs=("oc2",),
        checks=(OC2_CHECK,),
        lait=lait,
        ees=f"{HEALTH}: Health assessments x {wording}",
    )
cla(
    id="sdq_mean",
    group="Health and wellbeing",
    title="Average SDQ score",
    description="Average strengths and difficulties questionnaire score of children aged 5-16 "
    "looked after for at least 12 months.",
    category=BETTER_OFF,
    polarity=LOW,
    template=MEAN,
    unit="score",
    numerator="Sum of SDQ_SCORE over the children with a score.",
    denominator="Children aged 5-16 on the period end, looked after for the 12 months, with "
    "an SDQ score.",
    choice=OC2_CHOICE,
    sql=twelve_months(
        "o.SDQ_SCORE IS NOT NULL",
        "o.SDQ_SCORE AS sdq_score, o.SDQ_REASON AS sdq_reason",
        "c.age_at_end BETWEEN 5 AND 16",
        "o.SDQ_SCORE::DOUBLE",
    ).replace("true AS denominator", "o.SDQ_SCORE IS NOT NULL AS denominator"),
    needs=("oc2",),
    lait="Emotional_LAC",
    ees=f"{HEALTH}: Ages 5 to 16 years with SDQ score x SDQ average score",
)
cla(
    id="sdq_concern",
    group="Health and wellbeing",
    title="SDQ score a cause for concern",
    description="Share of children aged 5-16 looked after for 12 months with an SDQ score of "
    "17 or more.",
    category=BETTER_OFF,
    polarity=LOW,
    template=SHARE,
    numerator="Of the denominator, SDQ_SCORE 17-40.",
    denominator="Children aged 5-16 looked after for the 12 months with an SDQ score.",
    choice=OC2_CHOICE,
    sql=twelve_months(
        "coalesce(o.SDQ_SCORE >= 17, false)",
        "o.SDQ_SCORE AS sdq_score",
        "c.age_at_end BETWEEN 5 AND 16 AND o.SDQ_SCORE IS NOT NULL",
    ),
    needs=("oc2",),
    ees=f"{HEALTH}: Ages 5 to 16 years with SDQ score x SDQ score is a cause for concern",
    benchmark="la_conviction_health_outcome_cla:children_percent[characteristic=Ages 5 to 16 "
    "years with SDQ score;breakdown=SDQ score is a cause for concern]",
)
cla(
    id="offending",
    group="Health and wellbeing",
    title="Children looked after convicted or cautioned",
    description="Share of children aged 10-17 looked after for 12 months who were convicted or "
    "given a youth caution in the year.",
    category=BETTER_OFF,
    polarity=LOW,
    template=SHARE,
    numerator="Of the denominator, OC2 CONVICTED = 1.",
    denominator="Children aged 10-17 on the period end, looked after for the 12 months.",
    choice=OC2_CHOICE,
    sql=twelve_months(
        "coalesce(trim(o.CONVICTED) = '1', false)",
        "o.CONVICTED AS convicted",
        "c.age_at_end BETWEEN 10 AND 17",
    ),
    needs=("oc2",),
    lait="LAC_Convictions",
    ees=f"{HEALTH}: Convictions x Convicted or subject to youth cautions",
)

# --- social workers -------------------------------------------------------------------------
cla(
    id="social_workers_3plus",
    group="Social workers",
    title="Children looked after with 3 or more social workers in the period",
    description="Share of children looked after at the period end who had 3 or more different "
    "social workers during the period.",
    category=HOW_WELL,
    polarity=LOW,
    template=SHARE,
    numerator="Children with 3 or more distinct SW_ID on social worker episodes open at some "
    "time in the period.",
    denominator="Children looked after at the period end.",
    choice="A worker who returns counts once (DfE). Placeholder IDs starting XX (worker not "
    "known) are not counted as workers.",
    sql="""
    SELECT c.child_id, count(DISTINCT s.SW_ID) >= 3 AS numerator, true AS denominator,
           NULL::DOUBLE AS value, count(DISTINCT s.SW_ID) AS social_workers,
           list(DISTINCT s.SW_ID) FILTER (WHERE s.SW_ID IS NOT NULL) AS sw_ids
    FROM dm_cla_at_end c
    LEFT JOIN dm_903_sw_episodes s ON s.child_id = c.child_id
         AND NOT upper(trim(s.SW_ID)) LIKE 'XX%'
         AND dm_open_during(s.SW_DECOM, s.SW_DEC, s.known_until, :start, :end)
    GROUP BY c.child_id""",
    needs=("sw",),
    lait="Stability_SocialWorker",
    ees="la_cla_swcount.csv: CLA on 31 March x 3 or more social workers during the year",
)
