"""Find a DOCTYPE or entity declaration in an XML file's prolog, from its raw bytes.

This runs before any XML parser sees the file, so refusing a DOCTYPE never depends on which
error a given libxml2 release reports first. The prolog is everything before the root element's
start tag: the XML declaration, comments, processing instructions and whitespace, and, in a
hostile file, a DOCTYPE with its entities. Its encoding is settled the way the XML
specification (appendix F) says a parser should: a byte-order mark, else the pattern of the first
four bytes, else the encoding the XML declaration names.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import IO

# Byte-order marks, longest first (UTF-32 LE starts with the UTF-16 LE mark).
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)
# The first four bytes of '<?xm' (or of any '<' markup) without a mark.
_PATTERNS: tuple[tuple[bytes, str], ...] = (
    (b"\x00\x00\x00\x3c", "utf-32-be"),
    (b"\x3c\x00\x00\x00", "utf-32-le"),
    (b"\x4c\x6f\xa7\x94", "cp500"),  # EBCDIC
)
_CHUNK = 64 * 1024
MAX_PROLOG_CHARS = 1024 * 1024  # a real return's prolog is a line or two
_DECLARATIONS = ("<!DOCTYPE", "<!ENTITY", "<!ELEMENT", "<!ATTLIST", "<!NOTATION")
# Encodings that write markup as plain ASCII bytes and nothing else as ASCII: the first scan saw
# the prolog as the parser will.
_PLAIN = frozenset({"utf-8", "iso8859-1", "ascii", "cp1252", "latin-1"})
_ENCODING = re.compile(r"""encoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']""")


@dataclass(frozen=True)
class Finding:
    """What the prolog holds that a return never does."""

    declaration: str  # 'DOCTYPE', 'ENTITY', ... as written, upper-cased
    line: int
    encoding: str


def sniff_encoding(head: bytes) -> str:
    """The encoding of the prolog from the first bytes alone (ASCII-compatible: 'latin-1')."""
    for mark, name in _BOMS:
        if head.startswith(mark):
            return name
    for pattern, name in _PATTERNS:
        if head.startswith(pattern):
            return name
    if len(head) >= 4 and head[0] and not head[1] and head[2] and not head[3]:
        return "utf-16-le"
    if len(head) >= 4 and not head[0] and head[1] and not head[2] and head[3]:
        return "utf-16-be"
    # UTF-8, Windows-1252 and every other ASCII-compatible encoding: markup is plain ASCII, and
    # latin-1 maps each byte to one character, so no byte sequence can hide a '<'.
    return "latin-1"


def find_declaration(fh: IO[bytes]) -> Finding | None:
    """The first DOCTYPE or other DTD declaration before the root element, if any.

    Reads from the start of `fh` only as far as the root's start tag, and leaves the position
    where it found it. Raises ValueError when the prolog is longer than MAX_PROLOG_CHARS.
    """
    start = fh.tell()
    try:
        head = fh.read(4)
        encoding = sniff_encoding(head)
        fh.seek(start)
        text = _Text(fh, encoding)
        found = _scan(text)
        if found is None and text.declared and encoding == "latin-1":
            declared = _codec(text.declared)
            if declared is not None and declared not in _PLAIN:
                # Markup may be written in other bytes than ASCII (UTF-7 writes '<' as '+ADw-'):
                # read the prolog again as the parser will, in the encoding the file names.
                fh.seek(start)
                found = _scan(_Text(fh, declared))
        return found
    finally:
        fh.seek(start)


def _codec(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None  # the parser refuses an encoding it does not know either


class _Text:
    """The file's characters, decoded chunk by chunk as the scan needs them."""

    def __init__(self, fh: IO[bytes], encoding: str) -> None:
        self.fh, self.encoding = fh, encoding
        self.decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        self.buf = ""
        self.eof = False
        self.declared: str | None = None

    def more(self) -> bool:
        if self.eof:
            return False
        if len(self.buf) >= MAX_PROLOG_CHARS:
            raise ValueError(f"more than {MAX_PROLOG_CHARS:,} characters before the root element")
        data = self.fh.read(_CHUNK)
        self.eof = not data
        self.buf += self.decoder.decode(data, final=self.eof)
        return bool(data) or bool(self.buf)


def _scan(text: _Text) -> Finding | None:
    pos = 0
    while True:
        buf = text.buf
        # skip whitespace and a decoded byte-order mark
        while pos < len(buf) and buf[pos] in " \t\r\n\ufeff":
            pos += 1
        if pos + 12 > len(buf) and not text.eof:
            text.more()
            continue
        if pos >= len(buf) or buf[pos] != "<":
            return None  # text before the root, or no root: the parser says what is wrong
        rest = buf[pos : pos + 12]
        if rest.startswith("<?"):
            end = _find(text, "?>", pos)
            if end < 0:
                return None
            if text.declared is None and rest.lower().startswith("<?xml"):
                match = _ENCODING.search(text.buf, pos, end)
                text.declared = match.group(1) if match else ""
            pos = end + 2
        elif rest.startswith("<!--"):
            end = _find(text, "-->", pos + 4)
            if end < 0:
                return None
            pos = end + 3
        elif rest.startswith("<!"):
            upper = rest.upper()
            for name in _DECLARATIONS:
                if upper.startswith(name):
                    line = text.buf.count("\n", 0, pos) + 1
                    return Finding(name[2:], line, text.encoding)
            return None  # other markup before the root is malformed: the parser says so
        else:
            return None  # the root element's start tag


def _find(text: _Text, needle: str, pos: int) -> int:
    while True:
        at = text.buf.find(needle, pos)
        if at >= 0 or not text.more():
            return at
