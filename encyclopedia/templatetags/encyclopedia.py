from django import template
from django.utils.safestring import mark_safe

from encyclopedia import markup

register = template.Library()


@register.filter
def us_date(day) -> str:
    """3/31/2024: the review date as the reference pages show it."""
    return f"{day.month}/{day.day}/{day.year}" if day else ""


@register.filter
def markdown(text: str) -> str:
    """Render editor-written Markdown to sanitized HTML (for low-traffic site text)."""
    return mark_safe(markup.render(text).html)  # noqa: S308 - sanitized by nh3 in markup.render
