"""The HL7 Infobutton endpoints: the knowledge-request service an EHR calls, and the page a
patient's portal opens. Both read live publications only (``infobutton.matching``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from encyclopedia.caching import site_data
from encyclopedia.caching.page_cache import public_page
from infobutton import knowledge_request as kr
from infobutton import matching, responses


@public_page
def service(request: HttpRequest) -> HttpResponse:
    """``GET /infobutton/service``: the Atom feed (or JSON, or JSONP) answering the request;
    400 naming the parameter for a bad one; 200 with no entries when nothing matches."""
    try:
        kind = kr.response_type(request.GET)
    except kr.BadParameter as problem:
        return responses.error(problem, kr.XML)
    try:
        callback = kr.callback(request.GET) if kind == kr.JSONP else ""
    except kr.BadParameter as problem:
        return responses.error(problem, kr.JSON)  # no usable callback: plain JSON
    try:
        asked = kr.read(request.GET)
    except kr.BadParameter as problem:
        return responses.error(problem, kind, callback)
    return responses.answer(responses.feed(request, asked, matching.find(asked)), asked)


@public_page
def application(request: HttpRequest) -> HttpResponse:
    """``GET /infobutton/application``: the matches as a page a patient reads, or a search box."""
    query = request.GET.copy()
    query[kr.RESPONSE_TYPE] = kr.XML  # a page, whatever response type the link names
    try:
        asked = kr.read(query)
    except kr.BadParameter as problem:
        return render(request, "infobutton/application.html", _problem(request, problem), status=400)
    context = {
        "asked": asked,
        "matches": matching.find(asked),
        "attribution": responses.attribution(site_data.settings()),
        "query": asked.display_name,
    }
    response = render(request, "infobutton/application.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


def _problem(request: HttpRequest, problem: kr.BadParameter) -> dict[str, object]:
    """What the patient's page says about a bad link: in plain words, without the parameters'
    names (those are for the EHR's developers, in the service's 400), and a search box."""
    code = request.GET.get(kr.CODE, "").strip() if problem.parameter == kr.CODE else ""
    query = " ".join(request.GET.get(kr.DISPLAY_NAME, "").split())
    return {
        "problem": True,
        "unrecognised_code": code[:60] if code.isprintable() else "",
        "query": query[: kr.MAX_DISPLAY_NAME] if query.isprintable() else "",
    }
