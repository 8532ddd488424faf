"""The briefing: what was published, where the LA stands, what to look at next.

Built from facts (numbers computed from the published figures, the LA's own returns and the
validation report), each rendered through a sentence template, so every sentence is traceable to
its fact. See docs/briefing.md.

For the web:
    render_briefing(edition, la=..., year=..., fmt="html") -> str
    render_pdf(...) -> bytes
    tokens.subscriber_for(token, db) / tokens.apply_unsubscribe(token, db) /
    tokens.update_preferences(token, db, edition=..., frequency=..., active=...)
"""

from datamonger.briefing.api import build, render_briefing, render_pdf

__all__ = ["build", "render_briefing", "render_pdf"]
