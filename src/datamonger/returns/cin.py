"""The CIN census: its XML element tree and the flat tables the store keeps, one row per element.

Every repeated element is kept (each disability, each factor, each CPP review date). Generated
keys are positions within the parent element, counted from 1, as the DfE's validator numbers them.
"""

from __future__ import annotations

from datamonger.returns import Field, FieldType, TableSpec

DATE_FORMAT = "%Y-%m-%d"  # xs:date
ROOT = "Message"


def _f(spec: str) -> tuple[Field, ...]:
    """'Name:type Name2' -> fields; the type defaults to text."""
    out = []
    for item in spec.split():
        name, _, typ = item.partition(":")
        ftype: FieldType = typ or "text"  # type: ignore[assignment]
        out.append(Field(name, ftype))
    return tuple(out)


def _table(name: str, store: str, fields: str, keys: str = "", description: str = "") -> TableSpec:
    return TableSpec(
        "cin", name, f"cin_{store}", _f(fields), tuple(keys.split()), None, description
    )


HEADER = _table(
    "Header",
    "header",
    "Collection Year:int ReferenceDate:date SourceLevel LEA SoftwareCode Release SerialNo "
    "DateTime:datetime",
    description="Message/Header: CollectionDetails and Source, one row per file",
)
CHILDREN = _table(
    "ChildIdentifiers",
    "children",
    "LAchildID UPN FormerUPN UPNunknown PersonBirthDate:date ExpectedPersonBirthDate:date "
    "GenderCurrent Sex PersonDeathDate:date Ethnicity",
    description="Child/ChildIdentifiers with ChildCharacteristics/Ethnicity, one row per Child",
)
DISABILITIES = _table(
    "Disabilities", "disabilities", "LAchildID Disability", description="one row per Disability"
)
EPISODES = _table(
    "CINdetails",
    "episodes",
    "LAchildID CINreferralDate:date ReferralSource PrimaryNeedCode CINclosureDate:date "
    "ReasonForClosure DateOfInitialCPC:date ReferralNFA:bool",
    "CINdetailsID",
    "one row per CINdetails (CIN episode)",
)
ASSESSMENTS = _table(
    "Assessments",
    "assessments",
    "LAchildID AssessmentActualStartDate:date AssessmentInternalReviewDate:date "
    "AssessmentAuthorisationDate:date",
    "CINdetailsID AssessmentID",
    "one row per Assessments element",
)
FACTORS = _table(
    "AssessmentFactorsList",
    "assessment_factors",
    "LAchildID AssessmentFactors",
    "CINdetailsID AssessmentID",
    "one row per AssessmentFactors element (the factors identified at assessment)",
)
CIN_PLANS = _table(
    "CINplanDates",
    "plans",
    "LAchildID CINPlanStartDate:date CINPlanEndDate:date",
    "CINdetailsID CINPlanID",
    "one row per CINPlanDates element",
)
SECTION47 = _table(
    "Section47",
    "section47",
    "LAchildID S47ActualStartDate:date InitialCPCtarget:date DateOfInitialCPC:date "
    "ICPCnotRequired:bool",
    "CINdetailsID Section47ID",
    "one row per Section47 element",
)
CPP = _table(
    "ChildProtectionPlans",
    "cpp",
    "LAchildID CPPstartDate:date CPPendDate:date InitialCategoryOfAbuse LatestCategoryOfAbuse "
    "NumberOfPreviousCPP:int",
    "CINdetailsID CPPID",
    "one row per ChildProtectionPlans element",
)
CPP_REVIEWS = _table(
    "Reviews",
    "cpp_reviews",
    "LAchildID CPPreviewDate:date",
    "CINdetailsID CPPID",
    "one row per CPPreviewDate (every review date is kept)",
)
PRE_PROCEEDINGS = _table(
    "PreProceedingsandFGDM",
    "pre_proceedings",
    "LAchildID PPStartDate:date LBPSentDate:date FGDMMeetingOffer FGDMMeetingFac "
    "InitialPPMeetingDate:date ReviewMeetingsCount:int StepDecisionDate:date PPOutcome "
    "CourtAppDate:date LetterInitCPDate:date",
    "CINdetailsID PreProceedingsID",
    "one row per PreProceedingsandFGDM element (2026 sample onwards)",
)

TABLES: tuple[TableSpec, ...] = (
    HEADER,
    CHILDREN,
    DISABILITIES,
    EPISODES,
    ASSESSMENTS,
    FACTORS,
    CIN_PLANS,
    SECTION47,
    CPP,
    CPP_REVIEWS,
    PRE_PROCEEDINGS,
)
BY_NAME: dict[str, TableSpec] = {t.name: t for t in TABLES}
