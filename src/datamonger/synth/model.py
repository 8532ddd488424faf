"""A synthetic child's whole history, independent of any return or collection year.

The writers slice it by collection year: the CIN census for year Y shows the CIN episodes open at any
time in Y, the SSDA903 return for Y the episodes of care open at any time in Y. Dates are `Day` ints.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from datamonger.synth.dates import Day


@dataclass(slots=True)
class Assessment:
    start: Day
    authorised: Day  # completion (AssessmentAuthorisationDate)
    factors: tuple[str, ...]


@dataclass(slots=True)
class Section47:
    start: Day
    target: Day  # InitialCPCtarget
    icpc: Day | None  # DateOfInitialCPC; None with ICPCnotRequired


@dataclass(slots=True)
class ProtectionPlan:
    start: Day
    end: Day | None
    initial_category: str
    latest_category: str
    previous_plans: int
    reviews: list[Day] = field(default_factory=list)


@dataclass(slots=True)
class CinPlan:
    start: Day
    end: Day | None


@dataclass(slots=True)
class CinEpisode:
    referral: Day
    source: str
    need: str | None  # PrimaryNeedCode (absent for NFA referrals)
    nfa: bool
    closure: Day | None = None
    closure_reason: str | None = None
    assessments: list[Assessment] = field(default_factory=list)
    section47s: list[Section47] = field(default_factory=list)
    plans: list[CinPlan] = field(default_factory=list)
    cpps: list[ProtectionPlan] = field(default_factory=list)


@dataclass(slots=True)
class CareEpisode:
    """One row of the SSDA903 Episodes table."""

    decom: Day
    rne: str
    ls: str
    cin: str
    place: str
    provider: str  # "" when not recorded
    home_post: str
    pl_post: str
    urn: str
    dec: Day | None = None
    rec: str = ""
    reason_place_change: str = ""


@dataclass(slots=True)
class Adoption:
    date_placed: Day  # PlacedAdoption DATE_PLACED = AD1 DATE_INT
    date_match: Day
    foster_care: str  # AD1 FOSTER_CARE
    nb_adoptr: str
    sex_adoptr: str
    ls_adoptr: str
    adopted: Day | None  # DEC of the adoption episode (E11/E12), None if not (yet) adopted


@dataclass(slots=True)
class SocialWorkerEpisode:
    sw_id: str
    start: Day
    end: Day | None
    reason: str  # SW_REASON, the reason for the change (written for open episodes in 2023/24 only)


@dataclass(slots=True)
class Child:
    index: int
    child_id: str  # CIN LAchildID = SSDA903 CHILD
    birth: Day  # actual or expected date of birth
    sex: str  # M or F (U is written for unborn children)
    ethnicity: str
    upn: str  # "" when the child has none
    upn_unknown: str  # UN1... when upn is ""
    disabilities: tuple[str, ...]
    cin: list[CinEpisode] = field(default_factory=list)
    in_cin_census: bool = True  # False for care leavers known only to the SSDA903 return
    care: list[CareEpisode] = field(default_factory=list)
    reviews: list[tuple[Day, str]] = field(default_factory=list)
    missing: list[tuple[str, Day, Day]] = field(default_factory=list)
    adoption: Adoption | None = None
    uasc: bool = False
    mother_birth: Day | None = None  # MC_DOB: date of birth of the young woman's first child
    social_workers: list[SocialWorkerEpisode] = field(default_factory=list)
    dolo: list[tuple[Day, Day]] = field(default_factory=list)
    previous_permanence: tuple[str, str, Day | None] = ("Z1", "", None)
    care_leaver: bool = False  # a former relevant child (OC3 cohort when 17-21)
    left_care: Day | None = None  # end of the last period of care, when it ended
    short_breaks_only: bool = False
