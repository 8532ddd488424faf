"""Unique Pupil Numbers with the check letter computed the DfE way (CIN rule 1510)."""

from __future__ import annotations

from datamonger.synth.codes import UPN_CHECK_LETTERS


def _value(ch: str) -> int:
    return int(ch) if ch.isdigit() else UPN_CHECK_LETTERS.index(ch)


def check_letter(rest: str) -> str:
    """The first character for the 12 characters `rest` (characters 2-13 of the UPN).

    Each character is weighted by its position (2 to 13); the sum modulo 23 indexes the letters
    A-Z without I, O and S. A letter in position 13 counts as its index in that same list.
    """
    if len(rest) != 12:
        raise ValueError("a UPN has 12 characters after the check letter")
    total = sum(_value(ch) * weight for weight, ch in enumerate(rest, start=2))
    return UPN_CHECK_LETTERS[total % 23]


def make_upn(la: str, serial: int) -> str:
    """A permanent (all-digit) UPN issued by LA `la`; `serial` < 10**9 makes it unique."""
    rest = f"{la}{serial:09d}"
    return check_letter(rest) + rest


def wrong_check_letter(upn: str) -> str:
    """The same UPN with a different, wrong check letter."""
    right = UPN_CHECK_LETTERS.index(upn[0])
    return UPN_CHECK_LETTERS[(right + 7) % 23] + upn[1:]
