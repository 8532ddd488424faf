"""What both XML readers share: safe streaming, the element-tree walker, and their problems.

Safety first. Every parse runs with entity resolution, DTD loading and network access off and
libxml2's size limits on (`huge_tree=False`). A file that declares a DOCTYPE is refused before
the parser sees it (`xml_prolog` scans the raw bytes of the prolog, in any encoding): real returns
never have one, and a DOCTYPE is how entity attacks (billion laughs, external entities reading
local files) get in. The parser's own view of the document type is checked as a second line.

Memory stays flat: records (a CIN `Child`, an SSDA903 `CHILD`...) are taken from `iterparse` as
each one ends, turned into rows, then cleared and unlinked with everything before them.

A return's element tree is declared as data (`Node`), and one walker turns any record into rows
of the canonical tables. Elements are matched on their local names, so a default namespace (or a
prefix) still reads, and the order of elements inside a parent does not matter.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
from lxml import etree

from datamonger.problems import Problem, Refused, Severity
from datamonger.readers.base import Limits
from datamonger.readers.xml_prolog import find_declaration, sniff_encoding
from datamonger.returns import TableSpec

# Never resolve entities, never load a DTD, never touch the network, keep libxml2's limits.
SAFE_PARSE: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}
REEXPORT = "Re-export the file from the case management system and load it again."
_SNIFF_BYTES = 4096

Row = dict[str, Any]


# --- names ------------------------------------------------------------------------------------
_LOCAL: dict[str, str] = {}


_BIG_LINE = 65535  # libxml2 keeps an element's line in 16 bits


def line_of(el: Any) -> int:
    """The line an element starts on, right past line 65,535 too.

    Beyond 65,535 libxml2 stores no line for an element and reports its first child's line
    instead (or, for an empty element, the next sibling's): the text after `<Child>` has already
    moved on by the newlines it holds. Undo that. Call it once the element's content is parsed
    (records are handled at their end event, so everything inside them is).
    """
    line = int(el.sourceline or 0)
    if line < _BIG_LINE:
        return line
    if el.text is not None:
        return line - el.text.count("\n")
    if len(el):
        return line_of(el[0])
    return line - (el.tail or "").count("\n")


def local_name(tag: object) -> str | None:
    """'{urn:x}Child' -> 'Child'; None for comments and other non-elements."""
    if not isinstance(tag, str):
        return None
    name = _LOCAL.get(tag)
    if name is None:
        name = tag.rpartition("}")[2]
        if len(_LOCAL) < 10_000:  # a hostile file could invent endless names
            _LOCAL[tag] = name
    return name


# --- problems ---------------------------------------------------------------------------------
def refused(
    path: Path,
    code: str,
    message: str,
    hint: str,
    line: int | None = None,
    column: str | None = None,
    value: str | None = None,
) -> Refused:
    return Refused(
        Problem(Severity.ERROR, code, message, str(path), line or None, column, value, hint)
    )


MAX_LISTED = 50  # problems of one code kept as objects (and listed); the rest kept columnar
_EXTRA_CHUNK = 50_000
_EXTRA = ("severity", "code", "message", "file", "line", "column", "value", "hint")


class ProblemLog:
    """Warnings of one file, every one of them.

    The first MAX_LISTED of each code are Problem objects, listed in the report; every one past
    those is kept columnar, in Arrow tables (`extra`) the loader stores in bulk in load_problems,
    so a file with a million unknown elements costs a few bytes per problem, not an object each.
    """

    def __init__(self, path: Path, return_label: str) -> None:
        self.path, self.return_label = path, return_label
        self.problems: list[Problem] = []
        self.counts: dict[str, int] = {}
        self.extra: list[pa.Table] = []
        self._cols: dict[str, list[Any]] = {k: [] for k in _EXTRA}

    def add(
        self,
        code: str,
        message: str,
        line: int | None = None,
        column: str | None = None,
        hint: str | None = None,
        severity: Severity = Severity.WARNING,
    ) -> None:
        n = self.counts[code] = self.counts.get(code, 0) + 1
        if n <= MAX_LISTED:
            self.problems.append(
                Problem(severity, code, message, str(self.path), line, column, None, hint)
            )
            return
        cols = self._cols
        for k, v in zip(
            _EXTRA,
            (str(severity), code, message, str(self.path), line, column, None, hint),
            strict=True,
        ):
            cols[k].append(v)
        if len(cols["code"]) >= _EXTRA_CHUNK:
            self._flush()

    def _flush(self) -> None:
        cols = self._cols
        if not cols["code"]:
            return
        arrays = {
            k: pa.array(v, pa.int32())
            if k == "line"
            else pa.array(v, pa.string()).dictionary_encode()
            for k, v in cols.items()
        }
        self.extra.append(pa.table(arrays))
        for v in cols.values():
            v.clear()

    def finish(self) -> list[Problem]:
        """The listed problems; the rest are in `extra` from now on."""
        self._flush()
        return list(self.problems)

    def unexpected(self, el: Any, parent: str) -> None:
        name = local_name(el.tag) or "?"
        self.add(
            "xml_unexpected_element",
            f"<{name}> inside <{parent}> is not part of the {self.return_label} return; "
            "its content was not loaded.",
            line_of(el),
            name,
            "Check the export settings of the case management system, or ignore this warning "
            "if the element is a local addition.",
        )

    def repeated(self, name: str, parent: str, first_line: int | None, line: int | None) -> None:
        self.add(
            "xml_repeated_element",
            f"<{name}> appears more than once inside <{parent}> (first on line {first_line}, "
            f"again on line {line}); only the first was loaded.",
            line,
            name,
            "Check which value is right in the case management system and re-export.",
        )


# --- the declared element tree and its walker -------------------------------------------------
class Node:
    """One element of a return's tree.

    table: every element of this name is one row of that table (None: its leaves go into the
        row of the nearest ancestor that has a table).
    key: generated key of the row, the element's position among same-named siblings from 1.
    fields: leaf element name -> field name (leaves may appear once in their parent).
    value: the element is itself a leaf whose text is this field of its own row (one row per
        repeated leaf, such as each Disability).
    repeat: may appear more than once in its parent.
    """

    __slots__ = ("by_name", "fields", "key", "name", "repeat", "table", "value")

    def __init__(
        self,
        name: str,
        table: TableSpec | None = None,
        *,
        key: str | None = None,
        fields: Iterable[str] | Mapping[str, str] = (),
        children: Iterable[Node] = (),
        repeat: bool = False,
        value: str | None = None,
    ) -> None:
        self.name, self.table, self.key, self.repeat, self.value = name, table, key, repeat, value
        self.fields: dict[str, str] = (
            dict(fields) if isinstance(fields, Mapping) else {f: f for f in fields}
        )
        self.by_name: dict[str, Node] = {c.name: c for c in children}

    def field_names(self) -> set[str]:
        """Every field this node and its table-less descendants fill."""
        out = set(self.fields.values())
        for c in self.by_name.values():
            if c.table is None and c.value is None:
                out |= c.field_names()
        return out


class Walker:
    """Turns one record element into rows, following a declared Node tree."""

    def __init__(self, path: Path, limits: Limits, log: ProblemLog) -> None:
        self.path, self.max_chars, self.log = path, limits.max_field_chars, log

    def walk(
        self, el: Any, node: Node, row: Row, keys: dict[str, int], rows: list[tuple[TableSpec, Row]]
    ) -> None:
        """Fill `row` from el's leaves and append a row for every table element below el."""
        fields, kids, local = node.fields, node.by_name, _LOCAL
        counts: dict[str, int] | None = None
        seen: dict[str, int] | None = None
        for c in el:
            tag = c.tag
            name = local.get(tag)
            if name is None:
                name = local_name(tag)
                if name is None:  # a comment or processing instruction
                    continue
            field = fields.get(name)
            if field is not None:
                if field in row:
                    self.log.repeated(name, node.name, _first_line(el, name), line_of(c))
                    continue
                row[field] = self.text(c, name)
                continue
            sub = kids.get(name)
            if sub is None:
                self.log.unexpected(c, node.name)
                continue
            if not sub.repeat:
                if seen is None:
                    seen = {}
                if name in seen:
                    self.log.repeated(name, node.name, seen[name], line_of(c))
                    continue
                seen[name] = line_of(c)
            if sub.table is None:
                self.walk(c, sub, row, keys, rows)
                continue
            sub_keys = keys
            if sub.key is not None:
                if counts is None:
                    counts = {}
                n = counts[name] = counts.get(name, 0) + 1
                sub_keys = {**keys, sub.key: n}
            sub_row: Row = {"source_line": line_of(c), **sub_keys}
            rows.append((sub.table, sub_row))
            if sub.value is not None:
                sub_row[sub.value] = self.text(c, name)
            else:
                self.walk(c, sub, sub_row, sub_keys, rows)

    def text(self, el: Any, name: str) -> str:
        """A leaf's value exactly as written: '' for an empty element."""
        value = el.text
        if value is None:
            value = ""
        elif len(value) > self.max_chars:
            raise refused(
                self.path,
                "field_too_long",
                f"<{name}> on line {line_of(el)} holds {len(value):,} characters; the limit "
                f"is {self.max_chars:,}.",
                "Check the value in the case management system (a pasted document?), then "
                "re-export the file.",
                line_of(el),
                name,
            )
        if len(el):  # a leaf with elements inside: those are not part of the return
            for c in el:
                if local_name(c.tag) is not None:
                    self.log.unexpected(c, name)
        return value


def _first_line(parent: Any, name: str) -> int | None:
    for c in parent:
        if local_name(c.tag) == name:
            return int(line_of(c))
    return None


# --- opening and streaming --------------------------------------------------------------------
def _open(path: Path) -> IO[bytes]:
    try:
        return path.open("rb")
    except OSError as exc:
        raise refused(
            path,
            "file_missing",
            f"The file could not be opened: {exc.strerror or exc}.",
            "Check the path and that you may read the file.",
        ) from None


def check_size(path: Path, limits: Limits) -> None:
    try:
        size = path.stat().st_size
    except OSError:
        return  # opening it will say what is wrong
    if size > limits.max_file_bytes:
        raise refused(
            path,
            "file_too_large",
            f"The file is {size:,} bytes; the limit is {limits.max_file_bytes:,}.",
            "Check this is the right file; a return is rarely larger than a few hundred MB.",
        )


def _check_head(path: Path, fh: IO[bytes]) -> None:
    """Refuse, with a clear message, what the loader normally catches before us."""
    head = fh.read(_SNIFF_BYTES)
    fh.seek(0)
    if not head.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        raise refused(
            path, "file_empty", "The file is empty.", "Check you picked the exported file."
        )
    try:
        found = find_declaration(fh)
    except ValueError as exc:
        raise refused(path, "xml_malformed", f"The XML has {exc}.", REEXPORT) from None
    if found is not None:
        raise doctype_refused(path, found.declaration, found.line)
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
    if not utf16 and (b"\x00" in head or not head.lstrip(b" \t\r\n\xef\xbb\xbf").startswith(b"<")):
        raise refused(
            path,
            "not_text",
            "The file is not XML: it holds binary data or does not start with '<'.",
            "Check that this is the exported return and not another kind of file.",
        )


def malformed(path: Path, exc: etree.LxmlError) -> Refused:
    msg = str(getattr(exc, "msg", None) or exc)
    line = getattr(exc, "lineno", None) or None
    if not line:  # iterparse sometimes says only "no element found": find libxml2's own error
        log = exc.error_log.filter_from_errors() if exc.error_log else []
        errors = [e for e in log if e.filename == str(path) and e.line]
        if errors:
            msg, line = errors[0].message, errors[0].line
    msg = re.sub(r", line \d+, column \d+$", "", msg.strip()).rstrip(".")
    if "too long" in msg or "huge text node" in msg:
        return refused(
            path,
            "field_too_long",
            f"A value or name is longer than the XML parser accepts ({msg}).",
            "Check the value in the case management system, then re-export the file.",
            line,
        )
    if "ncoding" in msg or "UTF-8" in msg:
        hint = "Save or export the file as UTF-8 (or declare its encoding), then load it again."
    else:
        hint = REEXPORT + " If the file was edited by hand, check the line shown."
    where = f" on line {line}" if line else ""
    return refused(path, "xml_malformed", f"The XML is not well formed{where}: {msg}.", hint, line)


def sniff_root(path: Path) -> tuple[str, int]:
    """The root element's local name and line, read safely; refuses a DOCTYPE.

    Reads only as far as the root's start tag (the first chunk of the file).
    """
    with _open(path) as fh:
        _check_head(path, fh)
        try:
            for _, el in etree.iterparse(fh, events=("start",), **SAFE_PARSE):
                refuse_doctype(path, el)
                return local_name(el.tag) or "", int(line_of(el) or 1)
        except etree.LxmlError as exc:
            raise malformed(path, exc) from None
    raise refused(path, "xml_malformed", "The XML has no root element.", REEXPORT)


def doctype_refused(path: Path, declaration: str = "DOCTYPE", line: int = 1) -> Refused:
    what = "a DOCTYPE" if declaration == "DOCTYPE" else f"a DTD declaration (<!{declaration}>)"
    return refused(
        path,
        "xml_doctype",
        f"The file declares {what} on line {line}. Returns never have one, and a DOCTYPE can "
        "hide entities that read other files, so this file is not read.",
        REEXPORT + " Do not load XML files from unknown sources.",
        line,
    )


def refuse_doctype(path: Path, el: Any) -> None:
    """The second line, after the byte scan of the prolog: what the parser itself saw."""
    info = el.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise doctype_refused(path)


def require_root(path: Path, expected: str, label: str) -> None:
    name, line = sniff_root(path)
    if name != expected:
        raise refused(
            path,
            "xml_unknown_root",
            f"The XML root element is <{name}>; a {label} file has <{expected}>.",
            "Check that this is the right return.",
            line,
            name,
        )


Handler = Callable[[Any], None]


def stream_records(
    path: Path,
    handlers: Mapping[str, Handler],
    allowed: Mapping[str, frozenset[str]],
    log: ProblemLog,
) -> None:
    """Call `handlers[name](element)` for every record element, in document order, then drop it.

    `allowed` maps each container element (the root and the wrappers around records) to the
    names it may hold: a record only counts when every ancestor is a container that allows it;
    anything else found in a container is reported as unexpected.

    The file is fed to the parser in blocks; after each block, whatever the containers hold that
    is complete and not a record is reported and dropped, and anything open and unexpected is
    trimmed, so memory stays flat even when megabytes of unknown elements follow the last record.
    Line ends are normalised (\r\n and a lone \r to \n) before the parser sees them, as XML
    itself does, so a file with \r-only line ends gets real line numbers.
    """
    tags = [f"{{*}}{name}" for name in {*handlers, *allowed}]
    with _open(path) as fh:
        _check_head(path, fh)
        head = fh.read(4)
        fh.seek(0)
        plain = sniff_encoding(head) not in _WIDE
        parser = etree.XMLPullParser(events=("start", "end"), tag=tags, **SAFE_PARSE)
        first = True
        held = b""
        root: Any = None
        try:
            while True:
                block = fh.read(_FEED)
                end = not block
                if plain:
                    block = held + block
                    held = b""
                    if block.endswith(b"\r") and not end:  # its \n may start the next block
                        block, held = block[:-1], b"\r"
                    block = block.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
                if block:
                    parser.feed(block)
                for event, el in parser.read_events():
                    if first:  # sniff_root has refused a DOCTYPE already; this is belt and braces
                        refuse_doctype(path, el)
                        first = False
                    if event == "start":
                        if root is None:
                            root = el.getroottree().getroot()
                        continue
                    name = local_name(el.tag) or ""
                    if name not in handlers:  # a container's end
                        continue
                    parent = el.getparent()
                    if _placed(el, allowed):
                        handlers[name](el)
                        _drop_before(el, parent, allowed, log)
                    el.clear(keep_tail=False)
                if end:
                    break
                if root is not None:
                    _prune(root, allowed, log)
            done = parser.close()
            root = done if done is not None else root
        except etree.LxmlError as exc:
            raise malformed(path, exc) from None
    if root is not None:
        _report_leftovers(root, allowed, log)


_FEED = 1 << 20
_WIDE = frozenset({"utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "cp500"})


def _prune(el: Any, allowed: Mapping[str, frozenset[str]], log: ProblemLog) -> None:
    """Report and drop what an open container holds that is complete and not a record; trim the
    content of an open unexpected element. Records (handled at their end) are left alone."""
    n = len(el)
    if n == 0:
        return
    pname = local_name(el.tag) or ""
    ok = allowed.get(pname)
    last = el[n - 1]
    if ok is None:  # inside an unexpected element: its content is never loaded
        if n > 1:
            del el[: n - 1]
        _prune(last, allowed, log)
        return
    if n > 1:
        _report_children(el[: n - 1], pname, ok, allowed, log)
        del el[: n - 1]
    name = local_name(last.tag)
    if name is not None and (name not in ok or name in allowed):
        _prune(last, allowed, log)


def _placed(el: Any, allowed: Mapping[str, frozenset[str]]) -> bool:
    """Whether every ancestor of el is a container that allows its child on the path."""
    child, parent = el, el.getparent()
    while parent is not None:
        ok = allowed.get(local_name(parent.tag) or "")
        if ok is None or local_name(child.tag) not in ok:
            return False
        child, parent = parent, parent.getparent()
    return True


def _drop_before(
    el: Any, parent: Any, allowed: Mapping[str, frozenset[str]], log: ProblemLog
) -> None:
    """Unlink everything before el in its parent (already read), reporting what was not allowed."""
    if parent is None:
        return
    pname = local_name(parent.tag) or ""
    # a container among them has been read to its end (Children before Header)
    before = list(itertools.takewhile(lambda sib: sib is not el, parent))
    _report_children(before, pname, allowed.get(pname, frozenset()), allowed, log)
    if before:
        del parent[: len(before)]


def _report_leftovers(el: Any, allowed: Mapping[str, frozenset[str]], log: ProblemLog) -> None:
    """After the parse: what is left in the containers that they do not allow."""
    pname = local_name(el.tag) or ""
    _report_children(el, pname, allowed.get(pname, frozenset()), allowed, log)


def _report_children(
    children: Iterable[Any],
    pname: str,
    ok: frozenset[str],
    allowed: Mapping[str, frozenset[str]],
    log: ProblemLog,
) -> None:
    """Report what `pname` may not hold among `children`, and inside the containers it may."""
    for c in children:
        name = local_name(c.tag)
        if name is None:
            continue
        if name not in ok:
            log.unexpected(c, pname)
        elif name in allowed:
            _report_leftovers(c, allowed, log)
