"""XML returns: find out which return a file is from its root element, then read it.

The root is sniffed safely (entities, DTDs and the network off; a DOCTYPE is refused) and only
as far as its start tag. `<Message>` is a CIN census, `<EXPSSDA903>` an SSDA903 return.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from datamonger.problems import Refused
from datamonger.readers import cin_xml, ssda903_xml
from datamonger.readers.base import FileResult, Limits, Stage
from datamonger.readers.xml_common import check_size, refused, sniff_root
from datamonger.returns import cin

Reader = Callable[[Path, Stage, Limits], FileResult]

READERS: dict[str, tuple[str, Reader]] = {
    cin.ROOT: ("CIN census", cin_xml.read),
    ssda903_xml.ROOT: ("SSDA903", ssda903_xml.read),
}


def read_xml(path: Path, stage: Stage, limits: Limits) -> FileResult:
    """Read an XML return into `stage` (chunks of raw rows); raises Refused when it cannot."""
    check_size(path, limits)
    root, line = sniff_root(path)
    entry = READERS.get(root)
    if entry is None:
        expected = " or ".join(f"<{name}> ({label})" for name, (label, _) in READERS.items())
        raise refused(
            path,
            "xml_unknown_root",
            f"The XML root element is <{root}>; a return has {expected}.",
            "Check that this is a CIN census or SSDA903 file exported for the DfE.",
            line,
            root,
        )
    if root != cin.ROOT:  # an SSDA903 XML file is a whole return: refusing it refuses that
        try:
            return entry[1](path, stage, limits)
        except Refused as exc:
            raise Refused(exc.problem, "*") from None
    return entry[1](path, stage, limits)
