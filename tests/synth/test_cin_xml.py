"""The CIN census XML: well formed, header as the spec says, elements in XSD order, codes by year."""

from __future__ import annotations

from lxml import etree

from datamonger.synth import SynthSummary

# Child elements in XSD order (spec/cin_format.md §1).
ORDER = {
    "Message": ["Header", "Children"],
    "Header": ["CollectionDetails", "Source"],
    "CollectionDetails": ["Collection", "Year", "ReferenceDate"],
    "Source": ["SourceLevel", "LEA", "SoftwareCode", "Release", "SerialNo", "DateTime"],
    "Child": ["ChildIdentifiers", "ChildCharacteristics", "CINdetails"],
    "ChildIdentifiers": [
        "LAchildID", "UPN", "FormerUPN", "UPNunknown", "PersonBirthDate",
        "ExpectedPersonBirthDate", "GenderCurrent", "Sex", "PersonDeathDate",
    ],
    "ChildCharacteristics": ["Ethnicity", "Disabilities"],
    "Disabilities": ["Disability"],
    "CINdetails": [
        "CINreferralDate", "ReferralSource", "PrimaryNeedCode", "CINclosureDate",
        "ReasonForClosure", "DateOfInitialCPC", "Assessments", "CINPlanDates", "Section47",
        "ReferralNFA", "ChildProtectionPlans",
    ],
    "Assessments": [
        "AssessmentActualStartDate", "AssessmentInternalReviewDate",
        "AssessmentAuthorisationDate", "FactorsIdentifiedAtAssessment",
    ],
    "FactorsIdentifiedAtAssessment": ["AssessmentFactors"],
    "CINPlanDates": ["CINPlanStartDate", "CINPlanEndDate"],
    "Section47": ["S47ActualStartDate", "InitialCPCtarget", "DateOfInitialCPC", "ICPCnotRequired"],
    "ChildProtectionPlans": [
        "CPPstartDate", "CPPendDate", "InitialCategoryOfAbuse", "LatestCategoryOfAbuse",
        "NumberOfPreviousCPP", "Reviews",
    ],
    "Reviews": ["CPPreviewDate"],
    "Children": ["Child"],
}  # fmt: skip


def _check_order(elem: etree._Element) -> None:
    allowed = ORDER.get(elem.tag)
    if allowed is None:
        assert len(elem) == 0, f"{elem.tag} should be a leaf"
        return
    positions = [allowed.index(child.tag) for child in elem]  # ValueError: unknown element
    assert positions == sorted(positions), (
        f"{elem.tag} children out of order at line {elem.sourceline}"
    )
    for child in elem:
        _check_order(child)


def test_well_formed_and_in_xsd_order(clean: SynthSummary) -> None:
    for ys in clean.years.values():
        root = etree.parse(str(ys.cin_path)).getroot()
        assert root.tag == "Message"
        _check_order(root)
        assert len(root.find("Children")) == ys.cin_children > 1000


def test_header(clean: SynthSummary) -> None:
    root = etree.parse(str(clean.years[2025].cin_path)).getroot()
    assert root.findtext("Header/CollectionDetails/Collection") == "CIN"
    assert root.findtext("Header/CollectionDetails/Year") == "2025"
    assert root.findtext("Header/CollectionDetails/ReferenceDate") == "2025-03-31"
    assert root.findtext("Header/Source/SourceLevel") == "L"
    assert root.findtext("Header/Source/LEA") == "330"


def test_sex_from_2025_gender_before(clean: SynthSummary) -> None:
    new = etree.parse(str(clean.years[2025].cin_path)).getroot()
    old = etree.parse(str(clean.years[2024].cin_path)).getroot()
    assert {e.text for e in new.iter("Sex")} <= {"M", "F", "U"}
    assert not list(new.iter("GenderCurrent"))
    assert {e.text for e in old.iter("GenderCurrent")} <= {"1", "2", "0", "9"}
    assert not list(old.iter("Sex"))


def test_unborn_children_have_expected_birth_date_and_sex_u(clean: SynthSummary) -> None:
    root = etree.parse(str(clean.years[2025].cin_path)).getroot()
    unborn = [
        c
        for c in root.iter("Child")
        if c.find("ChildIdentifiers/ExpectedPersonBirthDate") is not None
    ]
    assert unborn, "a few thousand children include unborn ones"
    for c in unborn:
        assert c.findtext("ChildIdentifiers/Sex") == "U"
        assert c.find("ChildIdentifiers/PersonBirthDate") is None
        expected = c.findtext("ChildIdentifiers/ExpectedPersonBirthDate")
        assert "2025-03-01" <= expected <= "2025-12-31"  # 8530Q


def test_factors_and_disability_codes_occur(clean: SynthSummary) -> None:
    root = etree.parse(str(clean.years[2025].cin_path)).getroot()
    factors = {e.text for e in root.iter("AssessmentFactors")}
    assert {"9A", "21", "3B", "4B"} <= factors
    assert "18A" not in factors and "19A" not in factors  # 8945Q, 8950Q
    disabilities = {e.text for e in root.iter("Disability")}
    assert len(disabilities - {"NONE"}) >= 8  # 2887Q
