"""Tell what a file is from its first bytes, never from its name; refuse what cannot be a return."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Literal

from datamonger.problems import Problem, Refused, Severity
from datamonger.returns import GROUND_TRUTH_COLUMNS

Kind = Literal["csv", "xlsx", "xml", "empty", "ground_truth", "early_years"]
SNIFF_BYTES = 64 * 1024
_BOMS = (b"\xef\xbb\xbf",)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _refuse(path: Path, code: str, message: str, hint: str) -> Refused:
    return Refused(Problem(Severity.ERROR, code, message, file=str(path), hint=hint))


def sniff(path: Path, max_bytes: int) -> Kind:
    """What the file holds: csv, xlsx, xml or empty. Raises Refused for everything else."""
    if not path.is_file():
        raise _refuse(
            path, "file_missing", "No such file.", "Check the path; folders are searched for files."
        )
    size = path.stat().st_size
    if size > max_bytes:
        raise _refuse(
            path,
            "file_too_large",
            f"The file is {size:,} bytes; the limit is {max_bytes:,}.",
            "Check this is the right file; a return is rarely larger than a few hundred MB.",
        )
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if not head.strip(b" \t\r\n\x00" + _BOMS[0]):
        return "empty"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse(
            path,
            "unknown_format",
            "This is an old Excel (.xls) workbook, which is not read.",
            "Save it as .xlsx or as one CSV file per table, then load it again.",
        )
    if head.startswith(_UTF16_BOMS):
        raise _refuse(
            path,
            "not_text",
            "The file is saved as UTF-16 text, which is not read.",
            "Save it as CSV UTF-8 (or plain CSV) and load it again.",
        )
    if b"\x00" in head:
        raise _refuse(
            path,
            "not_text",
            "The file contains binary data: it is not a CSV, XLSX or XML return.",
            "Check that this is the exported return and not another kind of file.",
        )
    body = head[3:] if head.startswith(_BOMS[0]) else head
    if body.lstrip().startswith(b"<"):
        return "xml"
    first = body.split(b"\n", 1)[0].rstrip(b"\r").decode("latin-1")
    if tuple(first.split(",")) == GROUND_TRUTH_COLUMNS:
        return "ground_truth"
    from datamonger.early_years.columns import kind_of  # the monitor's inputs, not returns

    return "early_years" if kind_of(first.split(",")) else "csv"


def _zip_kind(path: Path) -> Kind:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except zipfile.BadZipFile:
        raise _refuse(
            path,
            "not_text",
            "The file starts like a zip archive or workbook but is damaged.",
            "Export or save it again.",
        ) from None
    if "xl/workbook.xml" in names:
        return "xlsx"
    raise _refuse(
        path,
        "zip_archive",
        "The file is a zip archive; archives are not opened.",
        "Unzip it and load the files inside it (or the folder they are in).",
    )
