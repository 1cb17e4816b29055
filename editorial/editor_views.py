"""The editor form's helpers behind its script: the live preview of a Markdown field and the
article-link picker. Both only read; both answer JSON that is never cached or indexed."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_POST

from editorial import links, readability
from encyclopedia import limits, markup
from encyclopedia.models import Article

EDIT_PERMISSIONS = ("encyclopedia.change_article", "encyclopedia.add_article")


def _private(response: JsonResponse) -> JsonResponse:
    """Drafts are nobody's business but the editors': never stored, never indexed."""
    patch_cache_control(response, no_store=True, no_cache=True, private=True, max_age=0)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_POST
def preview_text(request: HttpRequest) -> JsonResponse:
    """One Markdown field as the public page would render it, with its reading grade.

    The same renderer and sanitizer as the public page (``encyclopedia.markup``); links to
    articles that are not live become their text, as readers would see them.
    """
    if not any(request.user.has_perm(permission) for permission in EDIT_PERMISSIONS):
        raise PermissionDenied
    text = request.POST.get("text", "")
    if len(text) > limits.article_limit():
        return _private(
            JsonResponse(
                {"error": f"Too long to preview: over {limits.article_limit():,} characters."}, status=400
            )
        )
    rendered = markup.render(text)
    live = set(
        Article.objects.english()
        .live()
        .filter(public_id__in=rendered.article_ids)
        .values_list("public_id", flat=True)
    )
    return _private(
        JsonResponse(
            {
                "html": markup.unlink_articles(rendered.html, live),
                "not_live": [public_id for public_id in rendered.article_ids if public_id not in live],
                "reading": readability.grade(text, request.POST.get("language", "en")).as_dict(),
            }
        )
    )


@require_GET
def link_search(request: HttpRequest) -> JsonResponse:
    """The link picker: articles whose title or an alternative name contains ``q``."""
    if not request.user.has_perm("encyclopedia.view_article"):
        raise PermissionDenied
    targets = links.find_link_targets(request.GET.get("q", ""))
    return _private(JsonResponse({"results": [target.as_dict() for target in targets]}))
