"""Every number the synthetic LA is drawn from, in one place, with where it came from.

England figures for 2024/25 (collection year 2025) unless said otherwise. Sources are files in the
project's reference copy of DfE published statistics (Open Government Licence v3.0):

- `b1`, `c1`, `c3`, `c4`, `d3`, `d5`: `dfe_csc_outcomes_enablers/<file>.csv`, National row, time_period 2025
- `LAIT:<Short Desc>`: `dfe_lait/bds_long_0.parquet`, `LA and Regions` = England, Years = 2025
- `cla_n`: `dfe_csc_outcomes_enablers/cla_number_and_rate_per_10k_children.csv`, National, 2025

A number marked ASSUMPTION is not in those files: it is a round figure chosen to look like published
national statistics (e.g. CLA by age) or simply to make the data plausible, and says so.

Weights are relative (they need not sum to 1); shares are probabilities.
"""

from __future__ import annotations

from typing import Final

# --- Population --------------------------------------------------------------------------------

# Children looked after at any point in the year / children in need at any point in the year:
# (CLA on 31 March 81,770 + ceased 34,450; cla_n children_count) / 704,430 (b1 Anypoint_child).
LOOKED_AFTER_SHARE: Final = (81_770 + 34_450) / 704_430  # = 0.165


def looked_after_share(years: int) -> float:
    """The same share over `years` consecutive collection years: each further year adds its
    starters to both sides (LAIT LACnum_Start 32,270 children starting to be looked after; b1
    Started_child 371,550 children starting to be in need). 0.165 for one year, 0.138 for two."""
    extra = max(years, 1) - 1
    return (81_770 + 34_450 + extra * 32_270) / (704_430 + extra * 371_550)


# CIN episodes open at any point that started before the year: 1 - Started/Anypoint episodes
# (b1 Started_episodes 396,870 / Anypoint_episodes 756,120).
CIN_CARRIED_OVER_SHARE: Final = 1 - 396_870 / 756_120  # = 0.475

# Age at referral of children in need (years; -1 = unborn). ASSUMPTION shaped on the CIN census
# characteristics table (not in the reference copy): unborn ~2%, under 1 ~6%, 1-4 ~17%, 5-9 ~24%,
# 10-15 ~36%, 16+ ~15%.
CIN_AGE_BANDS: Final = {(-1, -1): 2, (0, 0): 6, (1, 4): 17, (5, 9): 24, (10, 15): 36, (16, 17): 15}

# Sex (M/F); U only for unborn children. ASSUMPTION: 52% boys as in the CIN census.
SHARE_MALE: Final = 0.52

# Ethnicity weights. ASSUMPTION: rounded from the CIN census ethnicity table for England.
ETHNICITY: Final = {
    "WBRI": 62, "WIRI": 0.3, "WIRT": 0.3, "WROM": 0.8, "WOTH": 5,
    "MWBC": 2.5, "MWBA": 1, "MWAS": 1, "MOTH": 3,
    "AIND": 1.5, "APKN": 3, "ABAN": 1.2, "AOTH": 2,
    "BCRB": 1.5, "BAFR": 4, "BOTH": 1.2, "CHNE": 0.2, "OOTH": 3, "REFU": 0.5, "NOBT": 1.5,
}  # fmt: skip

# Disabled children (Disability other than NONE). ASSUMPTION: ~12% of children in need.
DISABLED_SHARE: Final = 0.12
DISABILITY: Final = {
    "LD": 25, "AUT": 30, "COMM": 15, "BEH": 12, "MOB": 6, "PC": 5, "HAND": 2, "INC": 3,
    "HEAR": 2, "VIS": 2, "CON": 1, "DDA": 8,
}  # fmt: skip

# --- Referrals and assessments ------------------------------------------------------------------

# Source of referral. LAIT:RefBySource_Police_% 28.3, RefBySource_Schl_% 20.6 (2A+2B),
# RefBySource_HealthServ_% 15.2 (3A-3F); the rest split by ASSUMPTION.
REFERRAL_SOURCE: Final = {
    "6": 28.3, "2A": 18.6, "2B": 2.0,
    "3A": 3.0, "3B": 2.5, "3C": 1.0, "3D": 3.2, "3E": 3.5, "3F": 2.0,
    "5A": 5.0, "5B": 3.0, "5C": 3.5, "1A": 6.0, "1B": 0.8, "1C": 2.0, "1D": 1.0,
    "4": 2.2, "7": 3.0, "8": 5.0, "9": 1.0, "10": 3.4,
}  # fmt: skip

# Referrals within 12 months of a previous referral: c1 rereferral_percent 22.6 (LAIT:ReReferral).
REREFERRAL_RATE: Final = 0.226
# Chance of a further referral after a CIN episode closes, as a multiple of REREFERRAL_RATE: about
# 1.9 makes referrals within 12 months of another ~22% of referrals (measured on 20,000 children).
REREFERRAL_CALIBRATION: Final = 1.9
# Referrals with no further action: c1 no_further_action_percent 6.5.
NFA_RATE: Final = 0.065
# Referrals assessed as not in need: c1 not_in_need_percent 30.8.
NOT_IN_NEED_RATE: Final = 0.308
# Not-in-need is drawn only for referrals without S47, NFA or care (about half of them): this factor
# brings RC8 closures near NOT_IN_NEED_RATE of all referrals.
NOT_IN_NEED_CALIBRATION: Final = 2.0
# Assessments completed within 45 working days: LAIT:Continue_Assess_Comp 85.7.
ASSESSMENT_45WD: Final = 0.857

# Primary need. ASSUMPTION: rounded from the CIN census primary need table (N1 ~57%).
PRIMARY_NEED: Final = {
    "N1": 57, "N2": 9, "N3": 3, "N4": 8, "N5": 14, "N6": 3, "N7": 0.4, "N8": 2, "N9": 3, "N0": 0.6,
}  # fmt: skip

# Factors identified at the end of assessment: c3 counts per factor (2025), one code per column.
ASSESSMENT_FACTORS: Final = {
    "1A": 10_620, "1B": 73_250, "1C": 11_600,  # Alcohol_Misuse_child/parent/person
    "2A": 24_550, "2B": 72_620, "2C": 15_930,  # Drug_Misuse_*
    "3A": 57_930, "3B": 162_890, "3C": 25_560,  # Domestic_Abuse_*
    "4A": 90_400, "4B": 171_780, "4C": 23_600,  # Mental_Health_*
    "5A": 63_240, "5B": 15_170, "5C": 7_510,  # Learning_Disability_*
    "6A": 24_220, "6B": 27_600, "6C": 5_310,  # Physical_Disability_*
    "7A": 18_960,  # Young_Carer
    "8E": 1_950,  # Privately_fostered
    "10A": 16_940, "11A": 12_400, "12A": 2_250, "13A": 8_860,  # Going_missing, CSE, Trafficking, Gangs
    "14A": 35_980, "15A": 25_470, "16A": 90_370, "17A": 97_700,  # SUB, Self_harm, Neglect, Emotional
    "18B": 61_410, "18C": 15_270,  # Physical_Abuse_adult_on_child / child_on_child
    "19B": 18_900, "19C": 12_590,  # Sexual_Abuse_adult_on_child / child_on_child
    "20": 83_770, "22A": 780, "23A": 2_240, "24A": 16_250,  # Other, FGM, Faith, Child_criminal_exploitation
}  # fmt: skip
# Episodes with factors / average factors per assessment: c3 Episodes_with_assessment_factor
# 513,250 and the sum of the factor counts (~1.6M) give about 3 factors per assessment.
FACTORS_PER_ASSESSMENT: Final = (1, 5)
# Not-in-need assessments recorded with factor 21 (no factors identified). ASSUMPTION.
NO_FACTORS_SHARE_NOT_IN_NEED: Final = 0.5

# --- Section 47, conferences, plans ----------------------------------------------------------------

# Section 47 enquiries per referral: c4 Section47 230,590 / c1 referral_count 632,830.
S47_PER_REFERRAL: Final = 230_590 / 632_830  # = 0.364
# ICPCs per S47: c4 ICPC 72,100 / Section47 230,590.
ICPC_PER_S47: Final = 72_100 / 230_590  # = 0.313
# Working days from S47 start to ICPC: c4 Duration_0-10 6,240, 11-15 52,430, 16-20 6,430, 21+ 6,990
# (81.4% within 15 working days; LAIT:CP_conf_15days 81.4).
ICPC_WORKING_DAYS: Final = {(3, 10): 6_240, (11, 15): 52_430, (16, 20): 6_430, (21, 35): 6_990}
# CPPs per ICPC: d3 CPP_start 61,840 / c4 ICPC 72,100.
CPP_PER_ICPC: Final = 61_840 / 72_100  # = 0.858
# Second or subsequent plans: d3 CPP_subsequent_percent 24.5.
CPP_SUBSEQUENT: Final = 0.245
# Length of plans (days), shaped so that plans open on 31 March match d5: <=3m 31.5%, 3-6m 25.5%,
# 6-12m 26.3%, 1-2y 14.4%, 2y+ 2.3% (ASSUMPTION on the ended-plan distribution that yields these).
CPP_LENGTH_DAYS: Final = {
    (40, 90): 18,
    (91, 182): 27,
    (183, 365): 35,
    (366, 730): 17,
    (731, 900): 3,
}
# Reviews held within timescales: LAIT:RevCP 90.6 (first review 3 months after the ICPC, then 6-monthly).
CPP_REVIEW_ON_TIME: Final = 0.906
# Initial and latest category of abuse. ASSUMPTION: rounded from the CIN census (neglect ~50%).
CATEGORY_OF_ABUSE: Final = {"NEG": 50, "EMO": 38, "PHY": 6, "SAB": 4, "MUL": 2}
# CIN plan length (days). ASSUMPTION.
CIN_PLAN_DAYS: Final = {(30, 120): 35, (121, 270): 40, (271, 540): 20, (541, 900): 5}
# Plan after a CPP ends (step down to a CIN plan). ASSUMPTION.
STEP_DOWN_AFTER_CPP: Final = 0.6
# Reason for closure of CIN episodes that are not NFA/not in need. ASSUMPTION.
CLOSURE_REASON: Final = {"RC7": 88, "RC3": 4, "RC4": 2, "RC5": 4, "RC6": 2}

# --- Children looked after ----------------------------------------------------------------------

# Age on starting to be looked after (years). ASSUMPTION shaped on the CLA starters table.
CLA_START_AGE: Final = {(0, 0): 19, (1, 4): 13, (5, 9): 15, (10, 15): 32, (16, 17): 21}
# UASC among children starting to be looked after: LAIT:UASC_%_Starting 22.
UASC_SHARE_OF_STARTERS: Final = 0.22
# Short-break-only children (legal status V3/V4) among looked-after children. ASSUMPTION (~3%).
SHORT_BREAKS_SHARE: Final = 0.03

# How periods of care end (weights), from LAIT 2025 unless said: adopted 9 (%_of LAC Adopted; split
# LAC%_Adopt_AppUnop 58 / LAC%_Adopt_ConsentDisp 42), SGO 12 (LAC_ceased_SGO%; split FFC_Rel 68,
# FFC_Oth 7, Car_Rel 22, rest other), CAO 3 (LAC_ceased_CAO%), returned home 16 (care plan) and 3
# (not); the rest (ages 16+, custody, transfers...) by ASSUMPTION.
CARE_EXIT: Final = {
    "E11": 5.2, "E12": 3.8,
    "E45": 8.2, "E46": 0.8, "E47": 2.6, "E48": 0.4,
    "E41": 3.0, "E4A": 16.0, "E4B": 3.0, "E13": 11.0,
    "E17": 7.0, "E5": 10.0, "E6": 2.0, "E8": 13.0,
    "E3": 2.0, "E9": 1.0, "E14": 2.5, "E15": 0.5, "E7": 0.5, "E16": 0.5,
}  # fmt: skip

# Young people leaving care at 16-18 (E5, E6, E7, E17) who came into care before 12. ASSUMPTION,
# tuned with the length-biased draw of periods of care (population.py) so that about as many
# children start and cease to be looked after per 10,000 as in England (LAIT LAC_Start_Rate 26,
# LAC_Cease_Rate 28, with LACnum about 70 per 10,000 on 31 March).
LEFT_AT_EIGHTEEN_ENTERED_YOUNG: Final = 0.6
# Mean length (days) of other periods of care (returns home, mostly): exponential. ASSUMPTION,
# tuned with the line above.
OTHER_CARE_MEAN_DAYS: Final = 365

# Long periods of care are less often seen ending inside a short window than short ones: their exits
# are drawn more often so that the share of leavers adopted or on SGOs lands near the figures above.
LONG_PATH_BOOST: Final = {"E11": 1.9, "E12": 1.9, "E45": 1.6, "E46": 1.6, "E47": 1.6, "E48": 1.6}

# Placement type families at 31 March: LAIT LAC_Foster_Placements 67, LAC_SecHome_And_ChildHome 12,
# LAC_Ind_SInd_Liv_Arr 9, LAC_Parents_OR_Others 6, LAC_Other_Place_Inc_Unreg 3,
# LAC_Other_Res_Settings 1; placed for adoption ~2 (ASSUMPTION).
# Foster carers who are relatives or friends (U1-U3) among foster placements. ASSUMPTION (~20%).
FOSTER_KINSHIP_SHARE: Final = 0.2
# Children placed outside the LA boundary. ASSUMPTION (~40% nationally).
OUT_OF_AREA_SHARE: Final = 0.4
# Placement moves per year in care, tuned so that about LAIT:LACStable_2016on 10% of children looked
# after on 31 March had 3+ placements in the year.
PLACEMENT_MOVES_PER_YEAR: Final = 0.7
# Temporary placements (T1/T2/T3) among placement changes. ASSUMPTION.
TEMPORARY_PLACEMENT_SHARE: Final = 0.04
# Reasons for placement change. ASSUMPTION, shaped on la_cla_during_year_new_placements.csv.
REASON_PLACE_CHANGE: Final = {
    "CARPL": 30, "LAREQ": 14, "PLACE": 8, "CREQB": 12, "CREQO": 8, "CHILD": 6,
    "STAND": 3, "ALLEG": 2, "CLOSE": 2, "APPRR": 1, "OTHER": 14,
}  # fmt: skip

# Missing and away from placement: LAIT Children_missing 11, Children_Away 3 (% of CLA).
MISSING_SHARE: Final = 0.11
AWAY_SHARE: Final = 0.03

# OC2 (looked after 12 months at 31 March): LAIT LACHealth% 90 (health assessments), LACDental% 81,
# LACVaccinations% 84, LACSubstance 3, LAC_Convictions 2 (aged 10+). Development checks (under 5)
# ASSUMPTION 88%. SDQ recorded for 4-16s ASSUMPTION 78%.
HEALTH_ASSESSMENT: Final = 0.90
TEETH_CHECK: Final = 0.81
IMMUNISATIONS: Final = 0.84
SUBSTANCE_MISUSE: Final = 0.03
CONVICTED: Final = 0.02
HEALTH_CHECK: Final = 0.88
SDQ_RECORDED: Final = 0.78

# Care leavers (OC3): LAIT CareLeaverEET 54 (19-21 in education, employment or training),
# CareLeaversNEET 40, CareLeavers_LA_NotInTouch 4, CareLeaverAcc 89 (suitable accommodation),
# LAC_19_HE 6 (higher education).
CARE_LEAVER_IN_TOUCH: Final = {"YES": 92, "NO": 4, "REFU": 2, "NREQ": 2}
CARE_LEAVER_ACTIVITY: Final = {
    "F1": 4, "P1": 2, "F2": 18, "P2": 4, "F4": 19, "P4": 7,  # EET = 54
    "G4": 12, "G5": 20, "G6": 8,  # NEET = 40
}  # fmt: skip
CARE_LEAVER_SUITABLE: Final = 0.89
# Suitable (1) accommodation types; the unsuitable ones use the same letter with 2. ASSUMPTION.
CARE_LEAVER_ACCOMMODATION: Final = {
    "B": 12, "C": 2, "D": 20, "E": 6, "K": 3, "T": 2, "U": 38, "Y": 5, "Z": 10, "S": 1, "W": 1,
}  # fmt: skip
# Former relevant children (care leavers 17-21, not in the CIN census) per looked-after child in
# the window: NoCareLeavers 38,190 (19-21) plus ~13,000 aged 17-18 over ~116,000 looked after.
CARE_LEAVERS_PER_LOOKED_AFTER: Final = 51_000 / 116_220

# Young women looked after who are mothers. ASSUMPTION (~2% of girls 14+).
MOTHER_SHARE: Final = 0.02
# Deprivation of liberty orders (from 2026/27) among children 10+ in children's homes. ASSUMPTION.
DOLO_SHARE: Final = 0.05
# Social worker changes per year. ASSUMPTION, shaped on la_cla_swcount.csv (~25% with 3+ workers).
SOCIAL_WORKER_CHANGES_PER_YEAR: Final = 0.9
# Children looked after per social worker id. ASSUMPTION.
CHILDREN_PER_SOCIAL_WORKER: Final = 15
# Previous permanence before this period of care. ASSUMPTION.
PREVIOUS_PERMANENCE: Final = {"Z1": 92, "P1": 2, "P2": 4, "P3": 2}
