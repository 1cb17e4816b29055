from django import template
from django.urls import reverse
from django.utils import timezone

from editorial import dashboard, translation
from encyclopedia.models import WorkflowState

register = template.Library()


@register.inclusion_tag("admin/editorial/includes/dashboard.html", takes_context=True)
def review_dashboard(context):
    """The dashboard of the signed-in user's roles, on the admin's start page."""
    request = context["request"]
    today = timezone.localdate()
    if not request.user.has_perm("encyclopedia.view_article"):
        return {"show": False}
    director = request.user.has_perm(dashboard.DIRECTOR_PERMISSION)
    return {
        "show": True,
        "groups": dashboard.groups(request.user, today),
        "notice_warnings": dashboard.notice_warnings(today) + dashboard.delivery_warnings(request.user),
        "accreditation": dashboard.accreditation(today) if director else None,
        "may_review": request.user.has_perm(dashboard.REVIEWER_PERMISSION),
        "today": today,
    }


@register.simple_tag
def article_link(article, may_review: bool) -> str:
    """A submitted draft opens in the reviewer's workspace; any other article in its form."""
    if may_review and article.state == WorkflowState.IN_REVIEW:
        return reverse("admin:editorial_workspace", args=[article.pk])
    return reverse("admin:encyclopedia_article_change", args=[article.pk])


@register.filter
def behind_words(article) -> str:
    """How far behind the English page a Spanish edition is: "3 days behind the English page"."""
    return translation.behind_words(article)


@register.filter
def lag_words(article) -> str:
    """How long a Spanish edition has been out of date: "since today", "for 3 days"."""
    return translation.lag_words(article)
