"""The editor's plain-language hint: a text's reading grade against the site's target grade.

Consumer health pages aim at about the eighth grade (``settings.READING_GRADE_TARGET``). The grade
is Flesch–Kincaid's (``textstat``), computed on the text as readers get it: the Markdown rendered
and sanitized by ``encyclopedia.markup``, each paragraph and list item a sentence of its own (a
bulleted list without full stops is not one long sentence). It is a hint: nothing is ever refused
for its grade.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import textstat
from django.conf import settings

from encyclopedia import markup

# Below this many words a grade says more about the formula than the text.
MIN_WORDS = 20
_BLOCK_END = re.compile(r"</(?:p|li)>|<(?:ul|ol|br)[^>]*>")
_SENTENCE_END = (".", "!", "?", ":", ";")


@dataclass(frozen=True)
class GradeHint:
    grade: float | None  # None: too short to grade
    target: float
    words: int

    @property
    def above_target(self) -> bool:
        return self.grade is not None and self.grade > self.target

    @property
    def message(self) -> str:
        target = f"{self.target:g}"
        if self.grade is None:
            return f"Reading grade: too short to grade ({self.words} words; {MIN_WORDS} or more are needed)."
        if self.above_target:
            return (
                f"Reading grade {self.grade:.1f}, above the target of {target}: shorter sentences and "
                "everyday words make it easier to read. (A hint, not a rule.)"
            )
        return f"Reading grade {self.grade:.1f}: within the target of {target}."

    def as_dict(self) -> dict:
        return {
            "grade": self.grade,
            "target": self.target,
            "words": self.words,
            "above_target": self.above_target,
            "message": self.message,
        }


def target_grade() -> float:
    """The grade the site aims at (a setting, read each time so tests and deploys may change it)."""
    return float(getattr(settings, "READING_GRADE_TARGET", 8))


def sentences(markdown_text: str) -> str:
    """The text readers get, as plain sentences: every paragraph and list item ends one."""
    html = markup.render(markdown_text).html
    lines = (markup.plain_text(part) for part in _BLOCK_END.split(html))
    return " ".join(line if line.endswith(_SENTENCE_END) else f"{line}." for line in lines if line)


def grade(markdown_texts: str | Iterable[str]) -> GradeHint:
    """The reading grade of one Markdown text, or of several read as one (a whole article)."""
    texts = [markdown_texts] if isinstance(markdown_texts, str) else list(markdown_texts)
    plain = " ".join(filter(None, (sentences(text) for text in texts)))
    words = textstat.lexicon_count(plain) if plain else 0
    if words < MIN_WORDS:
        return GradeHint(grade=None, target=target_grade(), words=words)
    return GradeHint(grade=round(textstat.flesch_kincaid_grade(plain), 1), target=target_grade(), words=words)
