"""How the admin's templates name states, actions and people: in words, never internal names."""

from django import template

from editorial import audit
from editorial.notifications import person_name

register = template.Library()


@register.filter
def state_name(state: str) -> str:
    return audit.state_name(state) if state else ""


@register.filter
def action_name(action: str) -> str:
    return audit.action_name(action) if action else ""


@register.filter
def state_change(event) -> str:
    return audit.state_change(event)


@register.filter
def person(user) -> str:
    """A user by full name (their login if they gave none); nobody is the system."""
    return person_name(user)
