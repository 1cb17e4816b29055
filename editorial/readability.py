"""The editor's plain-language hint: a text's reading grade against the site's target grade.

Consumer health pages aim at about the eighth grade (``settings.READING_GRADE_TARGET``). The grade
is Flesch–Kincaid's (``textstat``), computed on the text as readers get it: the Markdown rendered
and sanitized by ``encyclopedia.markup``, each paragraph and list item a sentence of its own (a
bulleted list without full stops is not one long sentence). It is a hint: nothing is ever refused
for its grade.

US grade levels are an English measure, so a Spanish text is scored on the Szigriszt-Pazos
perspicuity scale instead (``textstat``, Spanish syllables), read on the INFLESZ scale made for
health information: 0–100, higher is easier, 55 or more is "normal" (``SPANISH_TARGET``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

from encyclopedia import markup

# Below this many words a grade says more about the formula than the text.
MIN_WORDS = 20
_BLOCK_END = re.compile(r"</(?:p|li)>|<(?:ul|ol|br)[^>]*>")
_SENTENCE_END = (".", "!", "?", ":", ";")
# The INFLESZ scale's "normal" band starts here: below it, a health text is "somewhat difficult".
SPANISH_TARGET = 55.0


@dataclass(frozen=True)
class GradeHint:
    grade: float | None  # None: too short to grade; for Spanish, the Szigriszt-Pazos score
    target: float
    words: int
    language: str = "en"

    @property
    def above_target(self) -> bool:
        """Harder to read than the target (a Spanish score is harder the lower it is)."""
        if self.grade is None:
            return False
        return self.grade < self.target if self.language == "es" else self.grade > self.target

    @property
    def message(self) -> str:
        target = f"{self.target:g}"
        if self.grade is None:
            what = (
                "Spanish readability: too short to score"
                if self.language == "es"
                else "Reading grade: too short to grade"
            )
            return f"{what} ({self.words} words; {MIN_WORDS} or more are needed)."
        if self.language == "es":
            return self._spanish_message()
        if self.above_target:
            return (
                f"Reading grade {self.grade:.1f}, above the target of {target}: shorter sentences and "
                "everyday words make it easier to read. (A hint, not a rule.)"
            )
        return f"Reading grade {self.grade:.1f}: within the target of {target}."

    def _spanish_message(self) -> str:
        score = (
            f"Spanish readability {self.grade:.0f} (Szigriszt-Pazos, INFLESZ scale: 0–100, higher is easier)"
        )
        if self.above_target:
            return (
                f"{score}, below the target of {self.target:g}: shorter sentences and everyday words "
                "make it easier to read. (A hint, not a rule.)"
            )
        return f"{score}: within the target of {self.target:g} or more."

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


def grade(markdown_texts: str | Iterable[str], language: str = "en") -> GradeHint:
    """The reading grade of one Markdown text, or of several read as one (a whole article); a
    Spanish text (``language="es"``) gets its Spanish readability score."""
    # Imported here: the admin's modules import this one, and every worker would carry textstat.
    import textstat
    from textstat.backend import metrics

    texts = [markdown_texts] if isinstance(markdown_texts, str) else list(markdown_texts)
    plain = " ".join(filter(None, (sentences(text) for text in texts)))
    words = textstat.lexicon_count(plain) if plain else 0
    spanish = language == "es"
    target = SPANISH_TARGET if spanish else target_grade()
    if words < MIN_WORDS:
        return GradeHint(grade=None, target=target, words=words, language="es" if spanish else "en")
    if spanish:
        return GradeHint(round(metrics.szigriszt_pazos(plain, "es"), 1), target, words, "es")
    return GradeHint(grade=round(textstat.flesch_kincaid_grade(plain), 1), target=target, words=words)
