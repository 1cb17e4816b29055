"""An admin form too large for the server to read gets a page in the admin's style, not a 400.

Django refuses to read a form whose fields hold more than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes
(or more than ``DATA_UPLOAD_MAX_NUMBER_FIELDS`` fields) by raising ``RequestDataTooBig``
(``TooManyFieldsSent``) wherever ``request.POST`` is first read: its 400 page (or, with DEBUG,
its debug page) tells an editor nothing and looks like the end of their work. This middleware
reads an admin POST first and answers such a form with ``admin/request_too_large.html``
(413): what was too large, by how much, and that their text is still in the form they came
from. The article form checks its size before sending (``editorial/form_size.js``), so
this page is for browsers without script and for the other admin forms.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template.response import TemplateResponse
from django.urls import reverse

from encyclopedia import limits


def megabytes(size: int) -> str:
    """A size for people: "3.1 MB" (one decimal; 1 MB = 1,000,000 bytes, as browsers say)."""
    return f"{size / 1_000_000:,.1f} MB"


class RequestTooLargeMiddleware:
    """Answer an admin POST Django will not read with the admin's own "too large" page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path.startswith(reverse("admin:index")):
            try:
                request.POST  # noqa: B018 - read now, where a refusal can be answered in the admin's words
            except RequestDataTooBig:
                return too_large(request)
            except TooManyFieldsSent:
                return too_many_fields(request)
            except ValueError:  # a Content-Length that is not a number (gunicorn refuses it itself)
                return HttpResponseBadRequest("The request's Content-Length header is not a number.")
        return self.get_response(request)


def _sent(request: HttpRequest) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def too_large(request: HttpRequest) -> HttpResponse:
    """The 413 page for a form whose text is larger than the server reads."""
    sent, most = _sent(request), settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return _page(
        request,
        title="The form was too large to save",
        what=(
            f"The form you sent is {megabytes(sent)}; the server reads at most {megabytes(most)} "
            f"of text from one form ({megabytes(max(sent - most, 0))} too much)."
            if sent > most
            else f"The text in the form you sent is more than the {megabytes(most)} the server reads from one form."
        ),
    )


def too_many_fields(request: HttpRequest) -> HttpResponse:
    """The 413 page for a form with more fields than the server reads."""
    most = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    return _page(
        request,
        title="The form had too many fields to save",
        what=f"The form you sent has more than {most:,} fields, the most the server reads from one form.",
    )


def _page(request: HttpRequest, *, title: str, what: str) -> HttpResponse:
    context = {
        **admin.site.each_context(request),
        "title": title,
        "what": what,
        "section_limit": f"{limits.section_limit():,}",
        "summary_limit": f"{limits.summary_limit():,}",
        "article_limit": f"{limits.article_limit():,}",
    }
    return TemplateResponse(request, "admin/request_too_large.html", context, status=413).render()
