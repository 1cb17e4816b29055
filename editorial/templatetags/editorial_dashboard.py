from django import template
from django.utils import timezone

from editorial import dashboard

register = template.Library()


@register.inclusion_tag("admin/editorial/includes/dashboard.html", takes_context=True)
def review_dashboard(context):
    """The review dashboard for the signed-in user, on the admin's start page."""
    request = context["request"]
    today = timezone.localdate()
    if not request.user.has_perm("encyclopedia.view_article"):
        return {"show": False}
    return {
        "show": True,
        "panels": dashboard.panels(request.user, today),
        "notice_warnings": dashboard.notice_warnings(today),
        "today": today,
    }
