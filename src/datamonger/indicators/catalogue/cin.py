"""Children in need (CIN census) indicators, declared as data.

SQL placeholders: `:start` and `:end` (the period's first and last day, as DATE literals) and
`:<setting>` (a `Settings` value as a string literal). The prepared `dm_cin_*` tables and the
`dm_*` macros are described in `indicators/prepare.py`.
"""

from __future__ import annotations

from typing import Any

from datamonger.indicators.catalogue import (
    COUNT,
    HIGH,
    HOW_MUCH,
    HOW_WELL,
    LOW,
    NEITHER,
    RATE,
    SHARE,
    register,
)
from datamonger.indicators.model import Indicator

C1 = "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
B1 = "b1_children_in_need_2013_to_2025.csv"
C3 = "c3_factors_identified_at_end_of_assessment_2018_to_2025.csv"
C4 = "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv"
D3 = "d3_cpps_subsequent_plan_2013_to_2025.csv"
D5 = "d5_cpps_at31march_by_duration_2013_to_2025.csv"


def cin(**kw: Any) -> Indicator:
    ind = Indicator(return_="cin", **kw)
    register(ind)
    return ind


# --- populations shared by several indicators (SQL fragments) -------------------------------
REFERRALS = """
    SELECT child_id, {num} AS numerator, true AS denominator, NULL::DOUBLE AS value,
           referral_date, referral_source, previous_referral_date, referral_nfa,
           closure_date, closure_reason, CINdetailsID, collection_year AS return_year
    FROM dm_cin_referrals WHERE referral_date BETWEEN :start AND :end"""

CIN_AT_END = """
    SELECT e.child_id, {num} AS numerator, true AS denominator, NULL::DOUBLE AS value,
           e.referral_date, e.primary_need, c.disabilities, c.dob, c.expected_dob
    FROM dm_cin_at_end e LEFT JOIN dm_cin_children c USING (child_id)"""

S47 = """
    SELECT child_id, {num} AS numerator, true AS denominator, NULL::DOUBLE AS value,
           s47_start, icpc_date, icpc_not_required, referral_date, CINdetailsID
    FROM dm_cin_section47 WHERE s47_start BETWEEN :start AND :end"""

CPP_AT_END = """
    SELECT child_id, {num} AS numerator, true AS denominator, NULL::DOUBLE AS value,
           cpp_start, cpp_end, initial_category, :end - cpp_start + 1 AS days_on_plan
    FROM dm_cin_cpp WHERE dm_open_on(cpp_start, cpp_end, known_until, :end)
    QUALIFY row_number() OVER (PARTITION BY child_id ORDER BY cpp_start) = 1"""

CPP_STARTS = """
    SELECT p.child_id, {num} AS numerator, true AS denominator, NULL::DOUBLE AS value,
           p.cpp_start, p.previous_cpps, p.initial_category,
           (SELECT max(o.cpp_start) FROM dm_cin_cpp o
             WHERE o.child_id = p.child_id AND o.cpp_start < p.cpp_start) AS earlier_plan_start
    FROM dm_cin_cpp p WHERE p.cpp_start BETWEEN :start AND :end"""


# --- referrals ------------------------------------------------------------------------------
cin(
    id="referrals",
    group="Referrals",
    title="Referrals",
    description="How many referrals to children's social care were received in the period.",
    category=HOW_MUCH,
    polarity=NEITHER,
    template=COUNT,
    numerator="CIN episodes (CINdetails) with a CINreferralDate in the period; every referral "
    "counts, repeat referrals of the same child included, unborn children included.",
    denominator="-",
    sql=REFERRALS.format(num="true"),
    lait="CPP_Total_NumRef",
    ees=f"{C1}: referral_count",
)
cin(
    id="referrals_rate",
    group="Referrals",
    title="Referrals per 10,000 children",
    description="Referrals received in the period per 10,000 children aged 0-17 living in the LA.",
    category=HOW_MUCH,
    polarity=NEITHER,
    template=RATE,
    numerator="Referrals in the period (as `referrals`).",
    denominator="ONS mid-year estimate of children aged 0-17 / 10,000.",
    sql=REFERRALS.format(num="true"),
    lait="CPP_Total_Rateper10,000",
)
cin(
    id="rereferrals_12m",
    group="Referrals",
    title="Re-referrals within 12 months",
    description="Share of referrals that came within 12 months of a previous referral of the "
    "same child.",
    category=HOW_WELL,
    polarity=LOW,
    template=SHARE,
    numerator="Referrals in the period for which the same child (LAchildID) had an earlier "
    "referral dated within the 12 months before this referral date.",
    denominator="All referrals in the period.",
    exclusions="A referral on the same day as another is not a re-referral of it.",
    choice="DfE publishes no day-count rule. Default `rereferral_window=months`: the earlier "
    "referral is on or after this referral date minus 12 calendar months (29 February rolls to "
    "28 February), i.e. a 365/366-day look-back including the boundary day. Setting "
    "`rereferral_window=365` uses 365 days. Earlier referrals are read from every CIN return "
    "loaded: load the previous year's census too, or re-referrals early in the year are missed.",
    sql=REFERRALS.format(
        num="coalesce(previous_referral_date >= dm_reref_from(referral_date), false)"
    ),
    lookback_years=1,
    settings=("rereferral_window",),
    lait="ReReferral",
    ees=f"{C1}: rereferral_percent",
)
cin(
    id="referrals_nfa",
    group="Referrals",
    title="Referrals with no further action",
    description="Share of referrals in the period that led to no further action.",
    category=HOW_WELL,
    polarity=NEITHER,
    template=SHARE,
    numerator="Referrals in the period with ReferralNFA true.",
    denominator="All referrals in the period.",
    sql=REFERRALS.format(num="coalesce(referral_nfa, false)"),
    lait="CIN_Refferals_NFA",
    ees=f"{C1}: no_further_action_percent",
)
cin(
    id="assessed_not_in_need",
    group="Referrals",
    title="Referrals assessed as not in need",
    description="Share of referrals in the period closed after an assessment found the child "
    "not in need.",
    category=HOW_WELL,
    polarity=NEITHER,
    template=SHARE,
    numerator="Referrals in the period whose episode closed with ReasonForClosure RC8 (case "
    "closed after assessment, no further action) or RC9 (closed after assessment, referred to "
    "early help).",
    denominator="All referrals in the period.",
    sql=REFERRALS.format(num="coalesce(closure_reason IN ('RC8', 'RC9'), false)"),
    lait="Referrals_AssessedNotNeed",
    ees=f"{C1}: not_in_need_percent",
)

SOURCES = {
    "family": ("Referral source: individuals (family, acquaintance, self, other)", "1A 1B 1C 1D"),
    "schools": ("Referral source: schools", "2A"),
    "education": ("Referral source: education services", "2B"),
    "health": ("Referral source: health services", "3A 3B 3C 3D 3E 3F"),
    "housing": ("Referral source: housing", "4"),
    "la_services": ("Referral source: LA services", "5A 5B 5C 5D"),
    "police": ("Referral source: police", "6"),
    "legal": ("Referral source: other legal agency", "7"),
    "other": ("Referral source: other", "8"),
    "anonymous": ("Referral source: anonymous", "9"),
    "unknown": ("Referral source: unknown", "10"),
}
SOURCE_LAIT = {
    "schools": "RefBySource_Schl_%",
    "health": "RefBySource_HealthServ_%",
    "police": "RefBySource_Police_%",
}
for key, (title, codes) in SOURCES.items():
    in_list = ", ".join(f"'{c}'" for c in codes.split())
    cin(
        id=f"referral_source_{key}",
        group="Referral sources",
        title=title,
        description=f"Share of the period's referrals whose source was {title.split(': ')[1]}.",
        category=HOW_MUCH,
        polarity=NEITHER,
        template=SHARE,
        numerator=f"Referrals in the period with ReferralSource in {codes}.",
        denominator="All referrals in the period.",
        sql=REFERRALS.format(num=f"coalesce(referral_source IN ({in_list}), false)"),
        lait=SOURCE_LAIT.get(key),
    )

# --- children in need -----------------------------------------------------------------------
cin(
    id="cin_at_end",
    group="Children in need",
    title="Children in need at the period end",
    description="How many children were in need (an open CIN episode) on the last day of the "
    "period.",
    category=HOW_MUCH,
    polarity=NEITHER,
    template=COUNT,
    numerator="Children with a CIN episode open on the period end (referral on or before it, "
    "no closure date or closed after it). Includes children on CIN plans, CPPs, looked after, "
    "care leavers, disabled, unborn and 18+.",
    denominator="-",
    choice="Counts children (an LA rarely has two open episodes for one child; B1 At31 counts "
    "episodes).",
    sql=CIN_AT_END.format(num="true"),
    ees=f"{B1}: At31_episodes",
    benchmark="b1_children_in_need:At31_episodes",
)
cin(
    id="cin_rate",
    group="Children in need",
    title="Children in need per 10,000 children",
    description="Children in need on the period end per 10,000 children aged 0-17.",
    category=HOW_MUCH,
    polarity=NEITHER,
    template=RATE,
    numerator="Children in need on the period end (as `cin_at_end`).",
    denominator="ONS mid-year estimate of children aged 0-17 / 10,000.",
    sql=CIN_AT_END.format(num="true"),
    lait="CIN",
)
cin(
    id="cin_episodes_started",
    group="Children in need",
    title="CIN episodes starting",
    description="How many CIN episodes started in the period.",
    category=HOW_MUCH,
    polarity=NEITHER,
    template=COUNT,
    numerator="CIN episodes with a referral date in the period.",
    denominator="-",
    sql=REFERRALS.format(num="true"),
    ees=f"{B1}: Started_episodes",
    benchmark="b1_children_in_need:Started_episodes",
)
cin(
    id="cin_episodes_ended",
    group="Children in need",
    title="CIN episodes ending",
    description="How many CIN episodes closed in the period.",
    category=HOW_MUCH,
    polarity=NEITHER,
    template=COUNT,
    numerator="CIN episodes with a CINclosureDate in the period.",
    denominator="-",
    sql="""
    SELECT child_id, true AS numerator, true AS denominator, NULL::DOUBLE AS value,
           referral_date, closure_date, closure_reason, CINdetailsID
    FROM dm_cin_episodes WHERE closure_date BETWEEN :start AND :end""",
    ees=f"{B1}: Ended_episodes",
    benchmark="b1_children_in_need:Ended_episodes",
)
cin(
    id="cin_episodes_anypoint",
    group="Children in need",
    title="CIN episodes open at any point",
    description="How many CIN episodes were open at some time in the period.",
    category=HOW_MUCH,
    polarity=NEITHER,
    template=COUNT,
    numerator="CIN episodes referred on or before the period end and not closed before its start.",
    denominator="-",
    sql="""
    SELECT child_id, true AS numerator, true AS denominator, NULL::DOUBLE AS value,
           referral_date, closure_date, CINdetailsID
    FROM dm_cin_episodes
    WHERE dm_open_during(referral_date, closure_date, known_until, :start, :end)""",
    ees=f"{B1}: Anypoint_episodes",
    benchmark="b1_children_in_need:Anypoint_episodes",
)
cin(
    id="cin_disability",
    group="Children in need",
    title="Children in need with a disability",
    description="Share of children in need recorded with at least one disability.",
    category=HOW_MUCH,
    polarity=NEITHER,
    template=SHARE,
    numerator="Children in the population with any Disability code other than NONE.",
    denominator="Children in need on the period end (default) or at any time in the period.",
    choice="DfE publishes the split in B-series tables for both populations; setting "
    "`disability_population` = `at_end` (default) or `during`.",
    sql="""
    SELECT p.child_id,
           coalesce(len(list_filter(c.disabilities, lambda d: d <> 'NONE')) > 0, false)
             AS numerator,
           true AS denominator, NULL::DOUBLE AS value, p.referral_date, c.disabilities
    FROM (SELECT * FROM dm_cin_at_end WHERE ':disability_population' = 'at_end'
          UNION ALL
          SELECT * FROM dm_cin_during WHERE ':disability_population' = 'during') p
    LEFT JOIN dm_cin_children c USING (child_id)""",
    settings=("disability_population",),
)
NEEDS = {
    "N1": "abuse or neglect",
    "N2": "child's disability or illness",
    "N3": "parental disability or illness",
    "N4": "family in acute stress",
    "N5": "family dysfunction",
    "N6": "socially unacceptable behaviour",
    "N7": "low income",
    "N8": "absent parenting",
    "N9": "cases other than children in need",
    "N0": "not stated",
}
for code, label in NEEDS.items():
    cin(
        id=f"primary_need_{code.lower()}",
        group="Primary need",
        title=f"Primary need {code}: {label}",
        description=f"Share of children in need on the period end whose primary need is {label}.",
        category=HOW_MUCH,
        polarity=NEITHER,
        template=SHARE,
        numerator=f"Children in need on the period end whose open episode has PrimaryNeedCode "
        f"{code} (the latest open episode when there are two).",
        denominator="Children in need on the period end.",
        sql=CIN_AT_END.format(num=f"coalesce(e.primary_need = '{code}', false)"),
    )

# --- assessments ----------------------------------------------------------------------------
cin(
    id="assessments_45wd",
    group="Assessments",
    title="Assessments completed within 45 working days",
    description="Share of assessments completed in the period that took 45 working days or fewer.",
    category=HOW_WELL,
    polarity=HIGH,
    template=SHARE,
    numerator="Assessments authorised in the period whose length, in working days from "
    "AssessmentActualStartDate to AssessmentAuthorisationDate, is 45 or fewer.",
    denominator="Assessments authorised (completed) in the period with a start date.",
    exclusions="Assessments with no start date (noted).",
    choice="Working days exclude weekends and England-and-Wales bank holidays. Default "
    "`working_days=day0`: the start day is day 0 and the authorisation day counts (same day = "
    "0), matching the DfE's bands that start at 'same day'; `day1` counts the start day too, as "
    "the public CIN validator does.",
    sql="""
    SELECT child_id, dm_wd(start_date, auth_date) <= 45 AS numerator, true AS denominator,
           NULL::DOUBLE AS value, start_date, auth_date,
           dm_wd(start_date, auth_date) AS working_days, referral_date, CINdetailsID
    FROM dm_cin_assessments
    WHERE auth_date BETWEEN :start AND :end AND start_date IS NOT NULL""",
    settings=("working_days",),
    checks=(
        (
            """SELECT count(*) FROM dm_cin_assessments
               WHERE auth_date BETWEEN :start AND :end AND start_date IS NULL""",
            "{n} assessments authorised in the period have no start date and are left out",
        ),
    ),
    lait="Continue_Assess_Comp",
)

FACTORS = {
    "alcohol": ("Alcohol misuse", "1A 1B 1C", "Alcohol_Misuse_child/_parent/_person"),
    "drugs": ("Drug misuse", "2A 2B 2C", "Drug_Misuse_child/_parent/_person"),
    "domestic_abuse": ("Domestic abuse", "3A 3B 3C", "Domestic_Abuse_child/_parent/_person"),
    "mental_health": ("Mental health", "4A 4B 4C", "Mental_Health_child/_parent/_person"),
    "learning_disability": (
        "Learning disability",
        "5A 5B 5C",
        "Learning_Disability_child/_parent/_person",
    ),
    "physical_disability": (
        "Physical disability or illness",
        "6A 6B 6C",
        "Physical_Disability_child/_parent/_person",
    ),
    "young_carer": ("Young carer", "7A", "Young_Carer"),
    "privately_fostered": ("Privately fostered", "8B 8C 8D 8E 8F", "Privately_fostered"),
    "uasc": ("Unaccompanied asylum-seeking child", "9A", "Unaccompanied_asylum_seeker"),
    "missing": ("Going or being missing", "10A", "Going_missing"),
    "cse": ("Child sexual exploitation", "11A", "Child_sexual_exploitation"),
    "trafficking": ("Trafficking", "12A", "Trafficking"),
    "gangs": ("Gangs", "13A", "Gangs"),
    "behaviour": ("Socially unacceptable behaviour", "14A", "Socially_unacceptable_behaviour"),
    "self_harm": ("Self-harm", "15A", "Self_harm"),
    "neglect": ("Neglect", "16A", "Neglect"),
    "emotional_abuse": ("Emotional abuse", "17A", "Emotional_Abuse"),
    "physical_abuse": ("Physical abuse", "18A 18B 18C", "Physical_Abuse_*"),
    "sexual_abuse": ("Sexual abuse", "19A 19B 19C", "Sexual_Abuse_*"),
    "fgm": ("Female genital mutilation", "22A", "Female_Genital_Mutilation"),
    "faith": ("Abuse linked to faith or belief", "23A", "Faith_linked_abuse"),
    "cce": ("Child criminal exploitation", "24A", "Child_criminal_exploitation"),
    "other": ("Other", "20", "Other"),
}
FACTOR_EPISODES = """
    WITH f AS (
        SELECT a.child_id, a.CINdetailsID, a.collection_year,
               list(DISTINCT x.factor ORDER BY x.factor) AS factors,
               max(a.auth_date) AS last_authorised
        FROM dm_cin_assessments a
        JOIN dm_cin_factors x USING (child_id, collection_year, CINdetailsID, AssessmentID)
        WHERE a.auth_date BETWEEN :start AND :end AND x.factor <> '21'
        GROUP BY ALL)
    SELECT child_id, list_has_any(factors, [{codes}]) AS numerator, true AS denominator,
           NULL::DOUBLE AS value, last_authorised, factors, CINdetailsID
    FROM f"""
for key, (label, codes, column) in FACTORS.items():
    cin(
        id=f"factor_{key}",
        group="Factors identified at assessment",
        title=f"Factor at assessment: {label}",
        description=f"Share of episodes with factors recorded at the end of an assessment in "
        f"the period where {label.lower()} was identified.",
        category=HOW_MUCH,
        polarity=NEITHER,
        template=SHARE,
        numerator=f"Of the denominator, episodes with factor code {codes} on any assessment "
        f"authorised in the period (codes A/B/C = concern about the child / a parent or "
        f"carer / another person; all counted together).",
        denominator="CIN episodes with at least one factor (other than 21, no factors) on an "
        "assessment authorised in the period (C3 Episodes_with_assessment_factor).",
        sql=FACTOR_EPISODES.format(codes=", ".join(f"'{c}'" for c in codes.split())),
        ees=f"{C3}: {column}",
        # one published column = one share; a group published per subject (child / parent /
        # other person) has no published total to compare with
        benchmark=f"{key}_factor_share" if column.isidentifier() else None,
    )

# --- section 47 and conferences -------------------------------------------------------------
cin(
    id="s47",
    group="Section 47 and conferences",
    title="Section 47 enquiries",
    description="How many section 47 enquiries started in the period.",
    category=HOW_MUCH,
    polarity=NEITHER,
    template=COUNT,
    numerator="Section47 records with S47ActualStartDate in the period.",
    denominator="-",
    sql=S47.format(num="true"),
    ees=f"{C4}: Section47",
    benchmark="c4_children_in_need_section_47s_and_icpcs:Section47",
)
cin(
    id="s47_rate",
    group="Section 47 and conferences",
    title="Section 47 enquiries per 10,000 children",
    description="Section 47 enquiries started in the period per 10,000 children aged 0-17.",
    category=HOW_MUCH,
    polarity=NEITHER,
    template=RATE,
    numerator="Section 47 enquiries started in the period.",
    denominator="ONS mid-year estimate of children aged 0-17 / 10,000.",
    sql=S47.format(num="true"),
    lait="Section_47",
)
cin(
    id="icpc",
    group="Section 47 and conferences",
    title="Initial child protection conferences",
    description="How many initial child protection conferences were held in the period.",
    category=HOW_MUCH,
    polarity=NEITHER,
    template=COUNT,
    numerator="Distinct (child, DateOfInitialCPC) in the period, from Section47 records and "
    "from the episode-level DateOfInitialCPC (which also covers transfer-in conferences).",
    denominator="-",
    choice="An ICPC recorded both on the S47 and on its episode is one conference.",
    sql="""
    SELECT child_id, true AS numerator, true AS denominator, NULL::DOUBLE AS value,
           icpc_date, list(DISTINCT source ORDER BY source) AS recorded_on
    FROM (SELECT child_id, icpc_date, 'Section47' AS source FROM dm_cin_section47
          UNION ALL SELECT child_id, icpc_date, 'CINdetails' FROM dm_cin_episodes)
    WHERE icpc_date BETWEEN :start AND :end
    GROUP BY child_id, icpc_date""",
    lait="ISCP_Conf",
    ees=f"{C4}: ICPC",
    benchmark="c4_children_in_need_section_47s_and_icpcs:ICPC",
)
cin(
    id="icpc_15wd",
    group="Section 47 and conferences",
    title="ICPCs within 15 working days of the section 47 start",
    description="Share of initial conferences held within 15 working days of the start of the "
    "section 47 enquiry that led to them.",
    category=HOW_WELL,
    polarity=HIGH,
    template=SHARE,
    numerator="ICPCs in the period whose working days from S47ActualStartDate to "
    "DateOfInitialCPC (on the Section47 record) are 15 or fewer.",
    denominator="ICPCs in the period recorded on a Section47 record, dated on or after its start.",
    exclusions="ICPCs dated before the S47 start (left out of the DfE duration bands); "
    "conferences with no section 47 (transfer-in).",
    choice="The census has no strategy-discussion date, so DfE measures from the S47 start; "
    "same working-day convention as assessments (`working_days`).",
    sql="""
    SELECT child_id, dm_wd(s47_start, icpc_date) <= 15 AS numerator, true AS denominator,
           NULL::DOUBLE AS value, s47_start, icpc_date,
           dm_wd(s47_start, icpc_date) AS working_days, CINdetailsID
    FROM dm_cin_section47
    WHERE icpc_date BETWEEN :start AND :end AND icpc_date >= s47_start""",
    settings=("working_days",),
    lait="CP_conf_15days",
    ees=f"{C4}: (Duration_0-10_days + Duration_11-15_days) / all duration bands",
)
cin(
    id="s47_to_icpc",
    group="Section 47 and conferences",
    title="Section 47 enquiries leading to an ICPC",
    description="Share of section 47 enquiries started in the period that led to an initial "
    "child protection conference.",
    category=HOW_WELL,
    polarity=NEITHER,
    template=SHARE,
    numerator="Of the denominator, enquiries with a DateOfInitialCPC on or before the period end.",
    denominator="Section 47 enquiries started in the period.",
    choice="An LA-side conversion ratio, not a DfE headline (DfE: ICPC / Section47 from C4). "
    "Enquiries started in the last weeks of the period may not have reached conference yet.",
    sql=S47.format(num="coalesce(icpc_date <= :end, false)"),
    ees=f"{C4}: ICPC / Section47",
    benchmark="s47_to_icpc",
)
cin(
    id="s47_to_cpp",
    group="Section 47 and conferences",
    title="Section 47 enquiries leading to a child protection plan",
    description="Share of section 47 enquiries started in the period that were followed by a "
    "child protection plan.",
    category=HOW_WELL,
    polarity=NEITHER,
    template=SHARE,
    numerator="Of the denominator, enquiries for which the same child's CPP started on or "
    "after the S47 start and within 60 days of it (and by the period end).",
    denominator="Section 47 enquiries started in the period.",
    choice="Not a DfE published ratio; the 60-day link follows liia-tools. Recent enquiries "
    "may not have reached a plan yet.",
    sql=S47.format(
        num="""EXISTS (SELECT 1 FROM dm_cin_cpp p WHERE p.child_id = dm_cin_section47.child_id
               AND p.cpp_start BETWEEN s47_start AND least(s47_start + 60, :end))"""
    ),
    benchmark="s47_to_cpp",
)

# --- child protection plans -----------------------------------------------------------------
cin(
    id="cpp_at_end",
    group="Child protection plans",
    title="Children on a child protection plan at the period end",
    description="How many children were the subject of a child protection plan on the last day "
    "of the period.",
    category=HOW_MUCH,
    polarity=NEITHER,
    template=COUNT,
    numerator="Children with a CPP started on or before the period end and not ended by it.",
    denominator="-",
    sql=CPP_AT_END.format(num="true"),
    lait="CPP_Num",
    ees=f"{D5}: CPP_At31",
)
cin(
    id="cpp_rate",
    group="Child protection plans",
    title="Child protection plans per 10,000 children",
    description="Children on a child protection plan at the period end per 10,000 children "
    "aged 0-17.",
    category=HOW_MUCH,
    polarity=NEITHER,
    template=RATE,
    numerator="Children on a CPP at the period end.",
    denominator="ONS mid-year estimate of children aged 0-17 / 10,000.",
    sql=CPP_AT_END.format(num="true"),
    lait="CPP_rate",
)
cin(
    id="cpp_started",
    group="Child protection plans",
    title="Child protection plans starting",
    description="How many child protection plans started in the period.",
    category=HOW_MUCH,
    polarity=NEITHER,
    template=COUNT,
    numerator="CPPs with CPPstartDate in the period (each plan counts).",
    denominator="-",
    sql=CPP_STARTS.format(num="true"),
    lait="CPP_Abuse",
    ees=f"{D3}: CPP_start",
)
cin(
    id="cpp_started_rate",
    group="Child protection plans",
    title="Child protection plans starting per 10,000 children",
    description="Child protection plans starting in the period per 10,000 children aged 0-17.",
    category=HOW_MUCH,
    polarity=NEITHER,
    template=RATE,
    numerator="CPPs starting in the period.",
    denominator="ONS mid-year estimate of children aged 0-17 / 10,000.",
    sql=CPP_STARTS.format(num="true"),
    lait="CPP_Abuse_Rate",
)
cin(
    id="cpp_subsequent",
    group="Child protection plans",
    title="Second or subsequent child protection plans",
    description="Share of plans starting in the period for children who had been on a plan "
    "before, however long ago.",
    category=HOW_WELL,
    polarity=LOW,
    template=SHARE,
    numerator="Plans starting in the period with NumberOfPreviousCPP of 1 or more, or with an "
    "earlier plan for the same child in any loaded return.",
    denominator="All plans starting in the period (each occasion counted).",
    choice="NumberOfPreviousCPP covers plans in any LA; an earlier plan in the loaded returns "
    "counts even when the field was left blank.",
    sql=CPP_STARTS.format(
        num="""(coalesce(p.previous_cpps, 0) > 0 OR EXISTS (SELECT 1 FROM dm_cin_cpp o
               WHERE o.child_id = p.child_id AND o.cpp_start < p.cpp_start))"""
    ),
    lait="PrevRegCPR",
    ees=f"{D3}: CPP_subsequent_percent",
)
cin(
    id="cpp_2yrs_at_end",
    group="Child protection plans",
    title="Plans lasting 2 years or more (open at the period end)",
    description="Share of children on a plan at the period end who had been on it for 2 years "
    "or more.",
    category=HOW_WELL,
    polarity=LOW,
    template=SHARE,
    numerator="Children whose plan open on the period end had lasted more than 729 days "
    "counting both the start day and the period end.",
    denominator="Children on a CPP at the period end.",
    choice="The same day count as the DfE's rule for plans ending (>729 days inclusive), so a "
    "plan that started on 1 April two years before a 31 March end counts.",
    sql=CPP_AT_END.format(num=":end - cpp_start + 1 > 729"),
    lait="CPPlans2yrsActive",
    ees=f"{D5}: 2_years_or_more_percent",
)
cin(
    id="cpp_2yrs_ended",
    group="Child protection plans",
    title="Plans ending after 2 years or more",
    description="Share of plans ending in the period that had lasted 2 years or more.",
    category=HOW_WELL,
    polarity=LOW,
    template=SHARE,
    numerator="Plans ending in the period that lasted more than 729 days, counting both the "
    "start day and the end day.",
    denominator="Plans ending in the period (a child can count twice).",
    sql="""
    SELECT child_id, cpp_end - cpp_start + 1 > 729 AS numerator, true AS denominator,
           NULL::DOUBLE AS value, cpp_start, cpp_end, cpp_end - cpp_start + 1 AS days_on_plan
    FROM dm_cin_cpp WHERE cpp_end BETWEEN :start AND :end""",
    lait="CPPlans2yrs",
)
cin(
    id="cpp_reviews_on_time",
    group="Child protection plans",
    title="Child protection plans reviewed within timescales",
    description="Share of children on a plan for 3 months or more at the period end whose "
    "reviews were all on time.",
    category=HOW_WELL,
    polarity=HIGH,
    template=SHARE,
    numerator="Of the denominator, children whose first review was within 3 months of the "
    "plan start, each later review within 6 months of the one before, and whose next review "
    "was not overdue on the period end.",
    denominator="Children on a CPP at the period end who had been on it for at least 3 months.",
    choice="Calendar months; the plan start stands in for the ICPC date. Review dates are "
    "gathered from every loaded return the plan appears in.",
    sql="""
    WITH plans AS (
        SELECT child_id, cpp_start FROM dm_cin_cpp
        WHERE dm_open_on(cpp_start, cpp_end, known_until, :end)
          AND cpp_start <= (:end - INTERVAL 3 MONTH)::DATE
        QUALIFY row_number() OVER (PARTITION BY child_id ORDER BY cpp_start) = 1),
    pts AS (
        SELECT p.child_id, p.cpp_start, r.review_date AS d, false AS is_end
        FROM plans p JOIN dm_cin_cpp_reviews r USING (child_id, cpp_start)
        WHERE r.review_date BETWEEN p.cpp_start AND :end
        UNION ALL SELECT child_id, cpp_start, :end, true FROM plans),
    steps AS (
        SELECT *, lag(d) OVER w AS prev, row_number() OVER w AS k FROM pts
        WINDOW w AS (PARTITION BY child_id, cpp_start ORDER BY d, is_end))
    SELECT child_id,
           NOT bool_or(CASE WHEN k = 1 THEN d > (cpp_start + INTERVAL 3 MONTH)::DATE
                            ELSE d > (prev + INTERVAL 6 MONTH)::DATE END) AS numerator,
           true AS denominator, NULL::DOUBLE AS value, cpp_start,
           list(d ORDER BY d) FILTER (WHERE NOT is_end) AS review_dates
    FROM steps GROUP BY child_id, cpp_start""",
    lookback_years=2,
    lait="RevCP",
)
