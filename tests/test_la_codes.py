"""One reader of the LA code table for validation and the indicators (`datamonger.la_codes`)."""

from __future__ import annotations

import pytest

from datamonger import la_codes
from datamonger.indicators import reference
from datamonger.validation import prepare


@pytest.mark.parametrize("code", ["370", "E08000016", "e08000038 "])
def test_barnsley_by_any_of_its_codes(code: str) -> None:
    la = la_codes.lookup(code)
    assert la == la_codes.LACodes("370", "E08000016", "E08000038", "Barnsley")
    # published figures are matched on the statistics' code, placements on the directory's
    assert reference.resolve_la(code) == reference.LA("370", "E08000016", "Barnsley")
    assert reference.directory_code(reference.resolve_la(code)) == "E08000038"
    assert prepare.ons_la(code) == "E08000038"


def test_an_la_whose_codes_agree_and_an_unknown_code() -> None:
    westminster = la_codes.lookup("213")
    assert westminster is not None and westminster.ons == westminster.directory == "E09000033"
    assert la_codes.lookup("999") is None and la_codes.lookup(None) is None
    assert reference.resolve_la("E99999999") == reference.LA(None, "E99999999", None)
    assert prepare.ons_la("e99999999") == "E99999999"


def test_every_la_is_named_by_its_number_and_codes() -> None:
    numbers = reference.la_numbers()
    assert numbers["E08000016"] == numbers["E08000038"] == numbers["370"] == "370"
    assert numbers["E08000019"] == numbers["E08000039"] == "373"
    assert len({la.dfe for la in la_codes.all_codes().values()}) >= 150
