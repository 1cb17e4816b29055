"""Emails about the workflow, kept in the outbox with the change they announce and sent once it
has committed (``editorial/outbox.py``: a mail server that is down delays them, never loses them).

Each email is a pair of Django templates, ``templates/editorial/email/NAME.txt`` (plain text)
and ``NAME.html``, sent as one email with an HTML alternative (``outbox.message``). Links are absolute (``site_url()``),
so a mail program can open them; people are named by their full name (``person_name()``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from editorial import outbox
from editorial.roles import MEDICAL_REVIEWERS
from encyclopedia.models import Article, Language, Reviewer


def site_url() -> str:
    """The site's address for links outside a request (emails, reminders): ``SITE_URL``, or else
    the first host name in ``ALLOWED_HOSTS`` (https, or http with ``DEBUG``), or else localhost."""
    if settings.SITE_URL:
        return settings.SITE_URL
    hosts = [host for host in settings.ALLOWED_HOSTS if host != "*" and not host.startswith(".")]
    scheme = "http" if settings.DEBUG else "https"
    return f"{scheme}://{hosts[0] if hosts else 'localhost'}"


def admin_url(article: Article) -> str:
    """The article's page in the admin, as an absolute URL."""
    return site_url() + reverse("admin:encyclopedia_article_change", args=[article.pk])


def person_name(user: Any) -> str:
    """A person as an email names them: their full name, or their login if they gave none."""
    if user is None:
        return "The system"
    return user.get_full_name().strip() or user.get_username()


def render_email(name: str, context: dict[str, Any]) -> tuple[str, str]:
    """The plain-text and HTML bodies of ``templates/editorial/email/<name>``."""
    text = render_to_string(f"editorial/email/{name}.txt", context, using="django").strip() + "\n"
    html = render_to_string(f"editorial/email/{name}.html", context, using="django")
    return text, html


def subject(what: str, article: Article) -> str:
    """An email's Subject about ``article``: one line whatever the title holds (a header with a
    line break is refused by the mail library, and would stop the email)."""
    return " ".join(f"{what}: {article.title} ({article.public_id})".split())


def _send_later(name: str, subject: str, context: dict[str, Any], recipients: list[str]) -> None:
    if any(recipients):
        text, html = render_email(name, context)
        outbox.enqueue(name, subject, text, html, recipients)


def qualified_reviewers(article: Article) -> Q:
    """The logins that may review ``article``'s edition: a reviewer profile listing its language
    (and, for English, a reviewer login not linked to a profile yet, as before editions had
    languages); an English-only reviewer is not asked to review a Spanish edition."""
    qualified = Q(reviewer_profile__in=Reviewer.objects.qualified_for(article.language))
    if article.language == Language.ENGLISH:
        qualified |= Q(reviewer_profile__isnull=True)
    return qualified


def submitted(article: Article, user: Any) -> None:
    """To the assigned reviewer, or else every medical reviewer qualified for the edition's language."""
    if article.assigned_reviewer_id:
        recipients = [article.assigned_reviewer.email]
    else:
        recipients = list(
            get_user_model()
            .objects.filter(qualified_reviewers(article), groups__name=MEDICAL_REVIEWERS, is_active=True)
            .distinct()
            .values_list("email", flat=True)
        )
    _send_later(
        "submitted",
        subject("Review requested", article),
        {
            "article": article,
            "who": person_name(user),
            "note": article.submission_note,
            "url": admin_url(article),
        },
        recipients,
    )


def approved(article: Article, author: Any, user: Any) -> None:
    if author is None:
        return
    _send_later(
        "approved",
        subject("Approved", article),
        {
            "article": article,
            "who": person_name(user),
            "go_live_at": article.go_live_at,
            "url": admin_url(article),
        },
        [author.email],
    )


def changes_requested(article: Article, author: Any, user: Any, comment: str) -> None:
    if author is None:
        return
    _send_later(
        "changes_requested",
        subject("Changes requested", article),
        {"article": article, "who": person_name(user), "comment": comment, "url": admin_url(article)},
        [author.email],
    )
