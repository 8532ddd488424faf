"""Hostile and broken XML: refused with one clear problem, never a traceback, never expanded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from datamonger.problems import Refused, Severity
from datamonger.readers import cin_xml, ssda903_xml
from datamonger.readers.base import Limits
from datamonger.readers.xml import read_xml
from datamonger.readers.xml_common import ProblemLog, stream_records
from datamonger.returns import TableSpec

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "xml"
SECRET = "SYNTHETIC-SECRET-7f3a9c"  # stands for a private file an attacker would want read

CHILD = (
    "<Children><Child><ChildIdentifiers><LAchildID>{}</LAchildID></ChildIdentifiers>"
    "</Child></Children>"
)


class Stage:
    def __init__(self) -> None:
        self.chunks: list[tuple[str, dict[str, list[Any]]]] = []

    def __call__(self, spec: TableSpec, chunk: dict[str, list[Any]], fmt: str) -> None:
        self.chunks.append((spec.name, {k: list(v) for k, v in chunk.items()}))


def refuse(path: Path, limits: Limits | None = None) -> tuple[Any, Stage]:
    stage = Stage()
    with pytest.raises(Refused) as info:
        read_xml(path, stage, limits or Limits())
    problem = info.value.problem
    assert problem.severity is Severity.ERROR
    assert problem.file == str(path)
    assert problem.message and problem.hint
    return problem, stage


def write(tmp_path: Path, data: str | bytes, name: str = "return.xml") -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


# --- DOCTYPE and entities -------------------------------------------------------------------
BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE Message [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">\n'
        for i in range(1, 10)
    )
    + "]>\n<Message>"
    + CHILD.format("&lol9;")
    + "</Message>\n"
)


def _secret(tmp_path: Path) -> Path:
    secret = tmp_path / "private.txt"
    secret.write_text(SECRET, encoding="utf-8")
    return secret


def test_a_plain_doctype_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "<?xml version='1.0'?>\n<!DOCTYPE Message>\n<Message/>")
    problem, stage = refuse(path)
    assert problem.code == "xml_doctype"
    assert "DOCTYPE" in problem.message
    assert stage.chunks == []


def test_billion_laughs_is_refused_without_expanding(tmp_path: Path) -> None:
    problem, stage = refuse(write(tmp_path, BILLION_LAUGHS))
    assert problem.code == "xml_doctype"
    assert "lollol" not in str(problem.to_dict())
    assert stage.chunks == []


@pytest.mark.parametrize(
    "template",
    [
        # a general external entity used in a value
        '<!DOCTYPE Message [<!ENTITY xxe SYSTEM "{uri}">]>\n<Message>'
        + CHILD.format("&xxe;")
        + "</Message>",
        # an external parameter entity, expanded inside the DTD itself
        '<!DOCTYPE Message [<!ENTITY % ext SYSTEM "{uri}"> %ext;]>\n<Message>'
        + CHILD.format("A1")
        + "</Message>",
        # an external DTD
        '<!DOCTYPE Message SYSTEM "{uri}">\n<Message>' + CHILD.format("A1") + "</Message>",
    ],
)
def test_external_entities_are_refused_and_the_local_file_never_read(
    tmp_path: Path, template: str
) -> None:
    uri = _secret(tmp_path).as_uri()
    path = write(tmp_path, '<?xml version="1.0"?>\n' + template.replace("{uri}", uri))
    problem, stage = refuse(path)
    assert problem.code == "xml_doctype"
    assert SECRET not in str(problem.to_dict())
    assert stage.chunks == []
    # the readers refuse it too when called directly
    for reader in (cin_xml.read, ssda903_xml.read):
        with pytest.raises(Refused) as info:
            reader(path, stage, Limits())
        assert info.value.problem.code in {"xml_doctype", "xml_unknown_root"}
        assert SECRET not in str(info.value.problem.to_dict())
    assert stage.chunks == []


def test_the_streaming_parse_refuses_a_doctype_on_its_own(tmp_path: Path) -> None:
    """Belt and braces: even without the root sniff, no record of such a file is handled."""
    uri = _secret(tmp_path).as_uri()
    text = f'<!DOCTYPE Message [<!ENTITY xxe SYSTEM "{uri}">]>\n<Message>'
    path = write(tmp_path, text + CHILD.format("&xxe;") + "</Message>")
    handled: list[object] = []
    with pytest.raises(Refused) as info:
        stream_records(
            path, {"Child": handled.append}, cin_xml.ALLOWED, ProblemLog(path, "CIN census")
        )
    assert info.value.problem.code == "xml_doctype"
    assert handled == []


# --- broken files ---------------------------------------------------------------------------
def test_a_truncated_file_is_refused_with_the_line_and_what_to_do(tmp_path: Path) -> None:
    text = (FIXTURES / "cin_small.xml").read_text(encoding="utf-8")
    cut = text[: text.index("<CPPreviewDate>2024-10-24")]
    path = write(tmp_path, cut)
    problem, _ = refuse(path)
    assert problem.code == "xml_malformed"
    assert problem.line == cut.count("\n") + 1  # the last (unfinished) line
    assert f"line {problem.line}" in problem.message
    assert "re-export" in (problem.hint or "").lower()
    assert "case management system" in (problem.hint or "")


def test_a_mismatched_tag_is_refused_at_its_line(tmp_path: Path) -> None:
    text = "<Message>\n<Children>\n<Child>\n<ChildIdentifiers>\n<LAchildID>A1</LAchildid>\n"
    text += "</ChildIdentifiers></Child></Children></Message>\n"
    problem, _ = refuse(write(tmp_path, text))
    assert (problem.code, problem.line) == ("xml_malformed", 5)


def test_an_undefined_entity_is_malformed(tmp_path: Path) -> None:
    path = write(tmp_path, "<Message>\n" + CHILD.format("A&nbsp;1") + "</Message>")
    problem, _ = refuse(path)
    assert (problem.code, problem.line) == ("xml_malformed", 2)
    assert "nbsp" in problem.message


def test_absurd_nesting_is_malformed_not_a_crash(tmp_path: Path) -> None:
    path = write(tmp_path, "<Message>" + "<x>" * 400 + "</x>" * 400 + "</Message>")
    problem, _ = refuse(path)
    assert problem.code == "xml_malformed"


def test_bytes_that_are_not_utf8_are_refused_with_an_encoding_hint(tmp_path: Path) -> None:
    data = b"<Message>\n" + CHILD.format("Ren\xe9e").encode("latin-1") + b"</Message>"
    problem, _ = refuse(write(tmp_path, data))
    assert problem.code == "xml_malformed"
    assert "UTF-8" in (problem.hint or "")


def test_a_value_over_the_limit_is_refused_naming_element_and_line(tmp_path: Path) -> None:
    text = "<Message>\n<Children>\n<Child>\n<ChildIdentifiers>\n<LAchildID>A1</LAchildID>\n"
    text += f"<UPN>{'A' * 51}</UPN>\n</ChildIdentifiers></Child></Children></Message>\n"
    path = write(tmp_path, text)
    problem, _ = refuse(path, Limits(max_field_chars=50))
    assert (problem.code, problem.line, problem.column) == ("field_too_long", 6, "UPN")
    assert "<UPN>" in problem.message and "line 6" in problem.message
    # exactly at the limit is fine
    path.write_text(text.replace("A" * 51, "A" * 50), encoding="utf-8")
    assert read_xml(path, Stage(), Limits(max_field_chars=50)).tables["ChildIdentifiers"] == 1


def test_a_value_over_the_parser_own_cap_is_refused_as_too_long(tmp_path: Path) -> None:
    text = "<Message>\n" + CHILD.format("A" * (10 * 1024 * 1024 + 10)) + "</Message>"
    problem, _ = refuse(write(tmp_path, text), Limits(max_field_chars=50 * 1024 * 1024))
    assert problem.code == "field_too_long"


def test_a_ssda903_value_over_the_limit_is_refused(tmp_path: Path) -> None:
    text = "<EXPSSDA903>\n<CHILD>\n<EPISODE>\n" + f"<DECOM>{'1' * 11}</DECOM>\n"
    text += "</EPISODE></CHILD></EXPSSDA903>"
    problem, _ = refuse(write(tmp_path, text), Limits(max_field_chars=10))
    assert (problem.code, problem.line, problem.column) == ("field_too_long", 4, "DECOM")


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "file_empty"),
        (b"  \r\n\t \n", "file_empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "not_text"),
        (b"<\x00\x01\x02\x03binary", "not_text"),
        (b"<\xff\xd8\xff\xe0garbage that is not xml", "xml_malformed"),
        (b"CHILD,SEX,DOB\nA1,M,01/01/2010\n", "not_text"),
        (b"<Message><Children><Child>", "xml_malformed"),
        (b"<Message/><Message/>", "xml_malformed"),
    ],
)
def test_junk_with_an_xml_name_is_refused_clearly(tmp_path: Path, data: bytes, code: str) -> None:
    problem, stage = refuse(write(tmp_path, data))
    assert problem.code == code
    assert stage.chunks == []


def test_an_unknown_root_is_refused_naming_what_was_found_and_expected(tmp_path: Path) -> None:
    path = write(tmp_path, '<?xml version="1.0"?>\n<Workbook xmlns="urn:x"><a/></Workbook>')
    problem, _ = refuse(path)
    assert (problem.code, problem.line, problem.column) == ("xml_unknown_root", 2, "Workbook")
    assert "<Workbook>" in problem.message
    assert "<Message>" in problem.message and "<EXPSSDA903>" in problem.message


def test_each_reader_refuses_the_other_return(tmp_path: Path) -> None:
    with pytest.raises(Refused) as info:
        cin_xml.read(FIXTURES / "ssda903_small.xml", Stage(), Limits())
    assert info.value.problem.code == "xml_unknown_root"
    assert "<EXPSSDA903>" in info.value.problem.message
    with pytest.raises(Refused) as info:
        ssda903_xml.read(FIXTURES / "cin_small.xml", Stage(), Limits())
    assert info.value.problem.code == "xml_unknown_root"


def test_a_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    problem, _ = refuse(FIXTURES / "cin_small.xml", Limits(max_file_bytes=1000))
    assert problem.code == "file_too_large"


def test_utf16_with_a_byte_order_mark_reads_like_utf8(tmp_path: Path) -> None:
    text = (FIXTURES / "cin_small.xml").read_text(encoding="utf-8")
    path = write(tmp_path, text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"))
    plain, utf16 = Stage(), Stage()
    read_xml(FIXTURES / "cin_small.xml", plain, Limits())
    result = read_xml(path, utf16, Limits())
    assert utf16.chunks == plain.chunks
    assert result.year == 2025
