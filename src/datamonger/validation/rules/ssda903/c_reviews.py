"""SSDA903 Reviews: the participation method against the child's age on the day of the review.

PN0 says the child was under 4; PN1-PN7 describe how a child of 4 or over took part. The age is
counted in completed years from the Reviews row's own DOB (INT17 checks it against the Header).
"""

from __future__ import annotations

from datamonger.validation.rule import fx, rule
from datamonger.validation.templates import where

OVER_4 = "('PN1', 'PN2', 'PN3', 'PN4', 'PN5', 'PN6', 'PN7')"

RULES = [
    rule(
        "440",
        where("Reviews", "t.REVIEW_CODE = 'PN0' AND age(t.DOB, t.REVIEW) >= 4"),
        fixture=fx(
            "Reviews",
            ["DOB=01/06/2022 REVIEW=01/06/2026 REVIEW_CODE=PN0"],
            [
                "DOB=01/06/2022 REVIEW=31/05/2026 REVIEW_CODE=pn0",
                "DOB=01/06/2022 REVIEW=01/06/2026 REVIEW_CODE=PN1",
                "DOB=01/06/2022 REVIEW_CODE=PN0",
            ],
        ),
        note="Four years old from the 4th birthday itself.",
    ),
    rule(
        "441",
        where("Reviews", f"t.REVIEW_CODE IN {OVER_4} AND age(t.DOB, t.REVIEW) < 4"),
        fixture=fx(
            "Reviews",
            [
                "DOB=01/06/2022 REVIEW=31/05/2026 REVIEW_CODE=PN1",
                "DOB=01/06/2023 REVIEW=01/06/2026 REVIEW_CODE=PN7",
            ],
            [
                "DOB=01/06/2022 REVIEW=01/06/2026 REVIEW_CODE=PN1",
                "DOB=01/06/2023 REVIEW=01/06/2026 REVIEW_CODE=PN0",
                "REVIEW=01/06/2026 REVIEW_CODE=PN2",
            ],
        ),
    ),
]
