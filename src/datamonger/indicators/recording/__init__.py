"""Recording-quality evidence ("practice or recording?"): checks on the LA's own child-level records
whose answer is more often "that is how it was recorded" than "that is what happened".

Each check is declared as data (`catalogue.CHECKS`) over one of a few SQL templates
(`model.TEMPLATES`); `engine.run` computes them all, `engine.children` lists the rows behind one.
"""

from datamonger.indicators.recording.catalogue import CHECKS, get
from datamonger.indicators.recording.engine import Finding, RecordingError, children, run
from datamonger.indicators.recording.model import Check

__all__ = ["CHECKS", "Check", "Finding", "RecordingError", "children", "get", "run"]
