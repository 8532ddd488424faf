"""The byte scan of the prolog: a DOCTYPE is found in any encoding, before libxml2 sees it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from datamonger.problems import Refused
from datamonger.readers.base import Limits
from datamonger.readers.xml import read_xml
from datamonger.readers.xml_prolog import MAX_PROLOG_CHARS, find_declaration, sniff_encoding

DOCTYPE = '<!DOCTYPE Message [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
BODY = "<Message><Header/></Message>\n"


def scan(data: bytes) -> tuple[str, int] | None:
    found = find_declaration(io.BytesIO(data))
    return None if found is None else (found.declaration, found.line)


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-8", b""),
        ("utf-8", b"\xef\xbb\xbf"),
        ("utf-16-le", b"\xff\xfe"),
        ("utf-16-be", b"\xfe\xff"),
        ("utf-16-le", b""),
        ("utf-16-be", b""),
        ("utf-32-le", b"\xff\xfe\x00\x00"),
        ("utf-32-be", b"\x00\x00\xfe\xff"),
        ("utf-32-le", b""),
        ("utf-32-be", b""),
        ("cp1252", b""),
        ("cp500", b""),
    ],
)
def test_a_doctype_is_found_in_every_encoding_and_with_every_mark(
    encoding: str, bom: bytes
) -> None:
    text = f'<?xml version="1.0" encoding="{encoding}"?>\n<!-- exported -->\n{DOCTYPE}\n{BODY}'
    data = bom + text.encode(encoding)
    assert scan(data) == ("DOCTYPE", 3)
    # the same file without the DOCTYPE is clean
    assert scan(data.replace(DOCTYPE.encode(encoding), b"")) is None


def test_the_encoding_sniff_follows_the_xml_specification() -> None:
    assert sniff_encoding(b"<?xml") == "latin-1"
    assert sniff_encoding("<?xm".encode("utf-16-le")) == "utf-16-le"
    assert sniff_encoding(b"\x4c\x6f\xa7\x94") == "cp500"
    assert sniff_encoding(b"\xef\xbb\xbf<?x") == "utf-8"


def test_a_doctype_hidden_by_a_declared_ascii_unsafe_encoding_is_found() -> None:
    # In UTF-7 '<' is '+ADw-': a byte search for '<!DOCTYPE' alone would miss it.
    decl = b'<?xml version="1.0" encoding="UTF-7"?>\n'
    hidden = b"+ADw-!DOCTYPE Message+AD4-\n"
    assert hidden.decode("utf-7") == "<!DOCTYPE Message>\n"
    assert scan(decl + hidden + b"<Message/>") == ("DOCTYPE", 2)


@pytest.mark.parametrize(
    ("prolog", "expected"),
    [
        ("<!doctype Message>", ("DOCTYPE", 1)),  # not XML, and still a DOCTYPE
        ('<!ENTITY lol "lol">', ("ENTITY", 1)),  # an entity without a DOCTYPE
        ("<?pi data?><!-- <!DOCTYPE in a comment --><?xml-stylesheet x?>\n", None),
        ("<!-- a comment with > and -- inside -->\n<!ELEMENT Message ANY>", ("ELEMENT", 2)),
        ("\n\n  \t", None),
    ],
)
def test_what_the_prolog_holds(prolog: str, expected: tuple[str, int] | None) -> None:
    assert scan((prolog + BODY).encode()) == expected


def test_text_after_the_root_start_is_not_the_prolog() -> None:
    assert scan(b"<Message><LAchildID>&lt;!DOCTYPE</LAchildID></Message>") is None


def test_a_doctype_behind_a_long_comment_is_found_across_read_chunks() -> None:
    comment = "<!--" + "x" * 200_000 + "-->\n"
    assert scan((comment + DOCTYPE + BODY).encode("utf-16")) == ("DOCTYPE", 2)


def test_a_prolog_longer_than_the_cap_is_an_error() -> None:
    comment = "<!--" + "x" * (MAX_PROLOG_CHARS + 10) + "-->"
    with pytest.raises(ValueError, match="before the root element"):
        scan((comment + BODY).encode())


def test_the_scan_leaves_the_file_where_it_was() -> None:
    fh = io.BytesIO(("<?xml version='1.0'?>" + BODY).encode())
    find_declaration(fh)
    assert fh.tell() == 0


@pytest.mark.parametrize(
    "doctype",
    [
        # libxml2 releases disagree on which error comes first for these; the code does not
        '<!DOCTYPE Message [<!ENTITY a "&b;">]>',
        '<!DOCTYPE Message [<!ENTITY a "<unclosed">]>',
        "<!DOCTYPE Message [<!ENTITY % p SYSTEM 'http://127.0.0.1:9/x'> %p;]>",
        "<!DOCTYPE Message [",
    ],
)
def test_the_reader_refuses_a_doctype_with_its_line_whatever_else_is_wrong(
    tmp_path: Path, doctype: str
) -> None:
    path = tmp_path / "return.xml"
    path.write_bytes(("<?xml version='1.0'?>\n\n" + doctype + "\n" + BODY).encode("utf-16"))
    with pytest.raises(Refused) as info:
        read_xml(path, lambda *_: None, Limits())
    problem = info.value.problem
    assert (problem.code, problem.line) == ("xml_doctype", 3)
    assert "line 3" in problem.message
