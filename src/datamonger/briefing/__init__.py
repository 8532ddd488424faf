"""The briefing: what was published, where the LA stands, what to look at next.

Built from facts (numbers computed from the published figures, the LA's own returns and the
validation report), each rendered through a sentence template, so every sentence is traceable to
its fact. See docs/briefing.md.
"""
