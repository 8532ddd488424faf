"""Facts as data, and the sentences made from them.

A briefing is a list of sections; each paragraph is a list of `Fact` records. A fact holds the
numbers and names it states (`data`, as computed), the strings shown for them after suppression
(`shown`), where the numbers came from (`sources`), the id of the sentence template it fills
(`data/sentences.toml`) and the sentence itself. Nothing is written that is not in a fact, so every
sentence in the HTML (`data-fact="<id>"`) and in the JSON can be traced back to its numbers.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import asdict, dataclass, field
from typing import Any

from datamonger.briefing.paths import shipped


@functools.cache
def templates() -> dict[str, str]:
    with shipped("sentences.toml").open("rb") as f:
        return {k: str(v) for k, v in tomllib.load(f).items()}


class _Strict(dict[str, str]):
    def __missing__(self, key: str) -> str:
        raise KeyError(f"sentence template needs {key!r}")


def say(template: str, shown: dict[str, str]) -> str:
    return templates()[template].format_map(_Strict(shown)).strip()


@dataclass
class Fact:
    id: str
    template: str
    data: dict[str, Any]
    shown: dict[str, str]
    sources: list[str] = field(default_factory=list)
    tone: str = "plain"  # plain | flag | next: how the page styles it
    text: str = ""

    def __post_init__(self) -> None:
        if not self.text:
            self.text = say(self.template, self.shown)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Paragraph:
    facts: list[Fact]
    heading: str | None = None
    chart: str | None = None  # an inline SVG, built from the same figures as the facts
    bullets: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "heading": self.heading,
            "facts": [f.to_dict() for f in self.facts],
            "chart": self.chart is not None,
            "bullets": self.bullets,
        }


@dataclass
class Section:
    id: str
    heading: str
    paragraphs: list[Paragraph] = field(default_factory=list)
    intro: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "heading": self.heading,
            "intro": self.intro,
            "paragraphs": [p.to_dict() for p in self.paragraphs],
        }


@dataclass
class Briefing:
    edition: str  # national | la
    title: str
    subtitle: str
    as_of: str  # ISO date the calendar is relative to
    year: int | None
    la: dict[str, Any] | None
    sections: list[Section]
    about: list[str]

    def facts(self) -> list[Fact]:
        return [f for s in self.sections for p in s.paragraphs for f in p.facts]

    def to_dict(self) -> dict[str, Any]:
        return {
            "edition": self.edition,
            "title": self.title,
            "subtitle": self.subtitle,
            "as_of": self.as_of,
            "year": self.year,
            "la": self.la,
            "sections": [s.to_dict() for s in self.sections],
            "about": self.about,
        }
