"""The service's answers: an Atom feed as the Infobutton SOA guide describes it, the same feed
as JSON (in the shape MedlinePlus Connect uses: attributes as keys, text as ``_value``), or
that JSON wrapped in a JSONP callback; and errors in the same three formats.

The feed is built once as XML elements; the JSON is made from those elements, so the two
always say the same. It echoes the request's criteria as feed categories, so the caller can
show "Results for ICD-10-CM E11.65 Type 2 diabetes".
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from encyclopedia import markup, paths
from encyclopedia.caching import site_data
from encyclopedia.templating import us_date
from infobutton import knowledge_request as kr
from infobutton.matching import Match

ATOM = "http://www.w3.org/2005/Atom"
XML_NS = "http://www.w3.org/XML/1998/namespace"
# The elements an Atom feed has no place for: an entry's alternative names and review date.
EXTENSION = "urn:x-medical-encyclopedia:infobutton:1"
ET.register_namespace("", ATOM)  # the feed's elements unprefixed, as feed readers expect
ET.register_namespace("ency", EXTENSION)

CONTENT_TYPES = {
    kr.XML: "text/xml; charset=utf-8",
    kr.JSON: "application/json; charset=utf-8",
    kr.JSONP: "text/javascript; charset=utf-8",
}
# Elements that may repeat: a list in JSON even when there is one.
_REPEATED = {"entry", "link", "category", "alternativeName"}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def feed(request: HttpRequest, asked: kr.KnowledgeRequest, matches: list[Match]) -> ET.Element:
    """The Atom feed answering ``asked`` with ``matches`` (none: an empty feed, never an error)."""
    settings = site_data.settings()
    language = asked.edition or asked.language
    root = ET.Element(
        _atom("feed"), {f"{{{XML_NS}}}lang": language, f"{{{XML_NS}}}base": _absolute(request, "/")}
    )
    criteria = f"{asked.system_name} {asked.code}" + (f" {asked.display_name}" if asked.display_name else "")
    _text(root, "title", f"{settings.site_name}: results for {criteria}", type="text")
    _text(
        root,
        "subtitle",
        f"{len(matches)} article{'s' if len(matches) != 1 else ''} for {criteria}",
        type="text",
    )
    author = ET.SubElement(root, _atom("author"))
    _text(author, "name", settings.publisher_name)
    _text(author, "uri", _absolute(request, paths.path("encyclopedia:index")))
    _text(root, "updated", max((m.updated for m in matches), default=timezone.now()).isoformat())
    _text(root, "id", _absolute(request, request.get_full_path()))
    for scheme, term in (
        (kr.CODE_SYSTEM, asked.system),
        (kr.CODE, asked.code),
        (kr.DISPLAY_NAME, asked.display_name),
        (kr.LANGUAGE, asked.language),
    ):
        if term:
            ET.SubElement(root, _atom("category"), {"scheme": scheme, "term": _clean(term)})
    for match in matches:
        _entry(root, request, match, language, attribution(settings))
    return root


def attribution(settings: Any) -> str:
    """The credit each entry carries, as the page's own footer gives it."""
    return (
        f"From the {settings.site_name}, {settings.publisher_name}. "
        f"© {settings.copyright_years()} {settings.copyright_holder}."
    )


def answer(root: ET.Element, asked: kr.KnowledgeRequest) -> HttpResponse:
    """The feed in the format the request asked for."""
    if asked.response_type == kr.XML:
        body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    else:
        body = _json_text({"feed": as_json(root)}, asked.callback).encode()
    return _response(body, asked.response_type)


def error(problem: kr.BadParameter, kind: str, callback: str = "") -> HttpResponse:
    """400 naming the parameter, in the requested format (JSON when a JSONP callback is unusable)."""
    message = str(problem)
    if kind == kr.XML:
        root = ET.Element("error", {"parameter": problem.parameter})
        root.text = _clean(message)
        body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    else:
        kind = kind if callback else kr.JSON
        body = _json_text({"error": {"parameter": problem.parameter, "message": message}}, callback).encode()
    return _response(body, kind, status=400)


def as_json(element: ET.Element) -> dict[str, Any]:
    """An element as JSON: attributes as keys (``lang``, ``base`` for the xml: ones), its text as
    ``_value``, its children by local name (a list for those that may repeat)."""
    out: dict[str, Any] = {_local(name): value for name, value in element.attrib.items()}
    if element.text is not None and element.text.strip():
        out["_value"] = element.text
    for child in element:
        name = _local(child.tag)
        if name in _REPEATED:
            out.setdefault(name, []).append(as_json(child))
        else:
            out[name] = as_json(child)
    for name in _REPEATED & {"entry", "category"}:
        if element.tag == _atom("feed"):
            out.setdefault(name, [])
    return out


def _entry(root: ET.Element, request: HttpRequest, match: Match, language: str, credit: str) -> None:
    url = _absolute(request, paths.article_path(match.public_id))
    entry = ET.SubElement(root, _atom("entry"), {f"{{{XML_NS}}}lang": language})
    _text(entry, "title", match.title, type="text")
    ET.SubElement(
        entry,
        _atom("link"),
        {
            "href": url,
            "rel": "alternate",
            "type": "text/html",
            "hreflang": language,
            "title": _clean(match.title),
        },
    )
    _text(entry, "id", url)
    _text(entry, "updated", match.updated.isoformat())
    # Sanitized when it was frozen, and again as any HTML leaving here; read elsewhere, its links absolute.
    _text(entry, "summary", markup.sanitize(match.summary_html, _absolute(request, "")), type="html")
    if match.matched_code:
        ET.SubElement(entry, _atom("category"), {"scheme": kr.CODE, "term": match.matched_code})
    ET.SubElement(entry, _atom("category"), {"scheme": "matchedBy", "term": match.matched_by})
    _text(entry, "rights", credit, type="text")
    for name in match.alternative_names:
        extension = ET.SubElement(entry, f"{{{EXTENSION}}}alternativeName")
        extension.text = _clean(name)
    if match.review_date:
        review = ET.SubElement(entry, f"{{{EXTENSION}}}reviewDate", {"label": us_date(match.review_date)})
        review.text = match.review_date.isoformat()


def _text(parent: ET.Element, name: str, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, _atom(name), attributes)
    element.text = _clean(text)
    return element


def _atom(name: str) -> str:
    return f"{{{ATOM}}}{name}"


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _clean(text: str) -> str:
    """``text`` without the characters XML cannot hold."""
    return _NOT_XML.sub("", text)


def _absolute(request: HttpRequest, path: str) -> str:
    return paths.absolute_url(request, path)


def _json_text(data: dict[str, Any], callback: str) -> str:
    text = json.dumps(data, ensure_ascii=False)
    if not callback:
        return text
    # U+2028 and U+2029 end a line in older JavaScript: escaped, the JSON is also a script.
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f"/**/{callback}({text});"


def _response(body: bytes, kind: str, status: int = 200) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPES[kind], status=status)
    response["Access-Control-Allow-Origin"] = "*"  # public, anonymous content: EHR web apps read it
    response["X-Content-Type-Options"] = "nosniff"
    return response
