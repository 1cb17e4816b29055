"""Reading an HL7 Infobutton URL-based knowledge request into what the service looks up.

The parameters are those of the HL7 Context-Aware Knowledge Retrieval (Infobutton) URL-based
implementation guide that a consumer-information service answers; the others a request may
carry (the patient's age and gender, the task, the performer) are accepted and ignored.
A bad parameter raises ``BadParameter`` naming it, so the service answers 400, never 500.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.http import QueryDict

from encyclopedia import coding

CODE_SYSTEM = "mainSearchCriteria.v.cs"
CODE = "mainSearchCriteria.v.c"
DISPLAY_NAME = "mainSearchCriteria.v.dn"
LANGUAGE = "informationRecipient.languageCode.c"
RESPONSE_TYPE = "knowledgeResponseType"
CALLBACK = "callback"

XML, JSON, JSONP = "text/xml", "application/json", "text/javascript"
RESPONSE_TYPES = (XML, JSON, JSONP)
# The languages the encyclopedia has an edition in; a request for another answers an empty result.
EDITIONS = ("en",)

_CALLBACK = re.compile(r"[A-Za-z_$][A-Za-z0-9_$.]{0,63}")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")
# Not text: C0 controls but tab, line feed and carriage return, DEL, lone surrogates, noncharacters.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
MAX_DISPLAY_NAME = 500


class BadParameter(ValueError):
    """A parameter of the request is missing or wrong; the message names it."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter


@dataclass(frozen=True)
class KnowledgeRequest:
    """What was asked: the code (normalized), its system's OID, its display name, the language."""

    system: str
    code: str
    display_name: str
    language: str
    response_type: str
    callback: str

    @property
    def system_name(self) -> str:
        return coding.label(self.system)

    @property
    def edition(self) -> str | None:
        """The edition that answers (None: the encyclopedia has none in the language asked for)."""
        primary = self.language.replace("_", "-").split("-")[0].lower()
        return primary if primary in EDITIONS else None


def response_type(query: QueryDict) -> str:
    """The response type asked for (``text/xml`` when none is), or BadParameter."""
    value = _one(query, RESPONSE_TYPE) or XML
    if value not in RESPONSE_TYPES:
        raise BadParameter(RESPONSE_TYPE, f"“{_shown(value)}” is not one of {', '.join(RESPONSE_TYPES)}.")
    return value


def callback(query: QueryDict) -> str:
    """The JSONP callback: a JavaScript name, at most 64 characters; anything else is refused,
    so no request can make the answer run script of its choosing."""
    value = query.get(CALLBACK, "")  # as sent: a name is used exactly, never trimmed into one
    if not value:
        raise BadParameter(CALLBACK, f"a JavaScript function name is needed with {RESPONSE_TYPE}={JSONP}.")
    if not _CALLBACK.fullmatch(value):
        raise BadParameter(
            CALLBACK,
            f"“{_shown(value)}” is not a function name: a letter, _ or $, then up to 63 letters, digits, "
            "_, $ or dots.",
        )
    return value


def read(query: QueryDict) -> KnowledgeRequest:
    """The knowledge request of ``query``; BadParameter for the first parameter that is wrong."""
    kind = response_type(query)
    jsonp_callback = callback(query) if kind == JSONP else ""
    raw_system = _one(query, CODE_SYSTEM)
    if not raw_system:
        raise BadParameter(CODE_SYSTEM, f"the code system's OID is needed, one of {coding.known_systems()}.")
    system = raw_system.removeprefix("urn:oid:")
    if system not in coding.CodeSystem.values:
        raise BadParameter(
            CODE_SYSTEM,
            f"“{_shown(raw_system)}” is not a code system this encyclopedia knows; use one of "
            f"{coding.known_systems()}.",
        )
    raw_code = _one(query, CODE)
    if not raw_code:
        raise BadParameter(CODE, f"the {coding.label(system)} code is needed.")
    code = coding.normalize(system, raw_code)
    problem = coding.problem(system, code)
    if problem:
        raise BadParameter(CODE, problem)
    display_name = " ".join(_one(query, DISPLAY_NAME).split())
    if len(display_name) > MAX_DISPLAY_NAME:
        raise BadParameter(DISPLAY_NAME, f"longer than {MAX_DISPLAY_NAME} characters.")
    language = _one(query, LANGUAGE) or "en"
    if not _LANGUAGE.fullmatch(language):
        raise BadParameter(LANGUAGE, f"“{_shown(language)}” is not a language code such as en or es.")
    return KnowledgeRequest(system, code, display_name, language, kind, jsonp_callback)


def _one(query: QueryDict, name: str) -> str:
    """The parameter's value, trimmed ("" if absent); BadParameter if it is not text."""
    value = query.get(name, "").strip()
    if _NOT_TEXT.search(value):
        raise BadParameter(name, "holds a control character or one that is not text.")
    return value


def _shown(value: str) -> str:
    """A wrong value as a message may quote it: its beginning."""
    return value if len(value) <= 60 else value[:60] + "…"
