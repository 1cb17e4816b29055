"""Clinical code systems an article can be coded in, and each system's rules for a code.

Patient portals and EHRs name a diagnosis, a lab test or a procedure by a code of one of
these systems (each identified by its HL7 OID); an article carries the codes it explains,
so an Infobutton request for a code finds it. This module only reads text: the models, the
importer and the Infobutton service all use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models


class CodeSystem(models.TextChoices):
    """The code systems, by their HL7 OID (what ``mainSearchCriteria.v.cs`` carries)."""

    ICD10CM = "2.16.840.1.113883.6.90", "ICD-10-CM"
    ICD9CM = "2.16.840.1.113883.6.103", "ICD-9-CM"
    SNOMEDCT = "2.16.840.1.113883.6.96", "SNOMED CT"
    LOINC = "2.16.840.1.113883.6.1", "LOINC"
    CPT = "2.16.840.1.113883.6.12", "CPT"


# Systems whose codes form a hierarchy in their own text: E11.65 is under E11.6, under E11.
HIERARCHICAL = frozenset({CodeSystem.ICD10CM, CodeSystem.ICD9CM})
CODE_MAX_LENGTH = 20
DISPLAY_NAME_MAX_LENGTH = 200

_ICD10CM = re.compile(r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?")
_ICD10CM_UNDOTTED = re.compile(r"[A-Z][0-9][0-9A-Z][0-9A-Z]{1,4}")
_ICD9CM = re.compile(
    r"(?:[0-9]{3}(?:\.[0-9]{1,2})?|V[0-9]{2}(?:\.[0-9]{1,2})?|E[0-9]{3}(?:\.[0-9])?|[0-9]{2}\.[0-9]{1,2})"
)
_LOINC = re.compile(r"[0-9]{1,7}-[0-9]")
_SNOMEDCT = re.compile(r"[1-9][0-9]{5,17}")
_CPT = re.compile(r"[0-9]{4}[0-9A-Z]")


def label(system: str) -> str:
    """ "ICD-10-CM" for the ICD-10-CM OID; the value itself for a system not listed."""
    return CodeSystem(system).label if system in CodeSystem.values else system


def by_name(name: str) -> str | None:
    """The OID of a system named by its label ("SNOMED CT", any case, spaces or dashes) or OID."""
    wanted = re.sub(r"[\s_-]+", "", name).upper().removeprefix("URN:OID:")
    for system in CodeSystem:
        if wanted in (re.sub(r"[\s_-]+", "", system.label).upper(), system.value):
            return system.value
    return None


def normalize(system: str, code: str) -> str:
    """A code as stored and looked up: trimmed, upper case; an undotted ICD-10-CM code (E1165,
    as many EHRs send it) gets its dot after the third character."""
    code = code.strip().upper()
    if system == CodeSystem.ICD10CM and _ICD10CM_UNDOTTED.fullmatch(code):
        code = f"{code[:3]}.{code[3:]}"
    return code


def problem(system: str, code: str) -> str | None:
    """Why ``code`` (normalized) is not a code of ``system``, or None if it is one."""
    name = label(system)
    if system not in CodeSystem.values:
        return f"“{system[:60]}” is not a code system this encyclopedia knows ({known_systems()})."
    if not code:
        return f"an {name} code is needed." if name.startswith("I") else f"a {name} code is needed."
    if len(code) > CODE_MAX_LENGTH:
        return f"“{code[:CODE_MAX_LENGTH]}…” is longer than any {name} code."
    shown = f"“{code}”"
    if system == CodeSystem.ICD10CM and not _ICD10CM.fullmatch(code):
        return (
            f"{shown} is not an ICD-10-CM code: a letter, a digit and a letter or digit, then "
            "optionally a dot and up to four letters or digits (E11 or E11.65)."
        )
    if system == CodeSystem.ICD9CM and not _ICD9CM.fullmatch(code):
        return (
            f"{shown} is not an ICD-9-CM code: three digits with up to two decimals (250.00), "
            "V and two digits (V45.1), E and three digits (E880.9), or a procedure (45.23)."
        )
    if system == CodeSystem.LOINC:
        if not _LOINC.fullmatch(code):
            return f"{shown} is not a LOINC code: up to seven digits, a dash and a check digit (4548-4)."
        from stdnum import luhn  # only when a code is checked: see ``_valid``

        if not _valid(luhn.validate, code.replace("-", "")):
            return f"{shown} is not a LOINC code: its check digit (after the dash) is wrong."
    if system == CodeSystem.SNOMEDCT:
        if not _SNOMEDCT.fullmatch(code):
            return f"{shown} is not a SNOMED CT code: 6 to 18 digits, not starting with 0 (44054006)."
        from stdnum import verhoeff  # only when a code is checked: see ``_valid``

        if not _valid(verhoeff.validate, code):
            return f"{shown} is not a SNOMED CT code: its check digit (the last digit) is wrong."
    if system == CodeSystem.CPT and not _CPT.fullmatch(code):
        return (
            f"{shown} is not a CPT code: five characters, four digits then a digit or letter (99213, 0001F)."
        )
    return None


def check(system: str, code: str) -> None:
    """``problem`` as a ValidationError on the ``code`` field (the admin and the model's clean)."""
    message = problem(system, code)
    if message:
        raise ValidationError({"code": message[0].upper() + message[1:]})


def parents(system: str, code: str) -> list[str]:
    """``code`` and the codes above it, most specific first: E11.65, E11.6, E11 (ICD only)."""
    if system not in HIERARCHICAL or "." not in code:
        return [code]
    stem, _, decimals = code.partition(".")
    return [code] + [f"{stem}.{decimals[:n]}" for n in range(len(decimals) - 1, 0, -1)] + [stem]


def known_systems() -> str:
    return ", ".join(f"{system.value} for {system.label}" for system in CodeSystem)


@dataclass(frozen=True)
class Code:
    """One code as a publication freezes it."""

    system: str
    code: str
    display: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"system": self.system, "code": self.code, "display": self.display}

    def line(self) -> str:
        """ "ICD-10-CM E11.9 Type 2 diabetes": how diffs and the page formats write it."""
        return " ".join(part for part in (label(self.system), self.code, self.display) if part)


def _valid(validate, number: str) -> bool:
    """Whether python-stdnum's ``validate`` accepts ``number``. stdnum (which imports pydoc) is
    imported only when a code is checked, never by a public page: it cost every worker about
    1.4 MB of memory (issue #15)."""
    from stdnum.exceptions import ValidationError as NumberError

    try:
        validate(number)
    except NumberError:
        return False
    return True
