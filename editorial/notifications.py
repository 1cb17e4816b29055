"""Emails about the workflow, sent only once the transaction that caused them has committed."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from editorial.roles import MEDICAL_REVIEWERS
from encyclopedia.models import Article


def _admin_url(article: Article) -> str:
    return settings.SITE_URL + reverse("admin:encyclopedia_article_change", args=[article.pk])


def _send_later(subject: str, body: str, recipients: list[str]) -> None:
    recipients = sorted({address for address in recipients if address})
    if recipients:
        transaction.on_commit(
            lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=False)
        )


def submitted(article: Article, user: Any) -> None:
    """To the assigned reviewer, or else every medical reviewer."""
    if article.assigned_reviewer_id:
        recipients = [article.assigned_reviewer.email]
    else:
        recipients = list(
            get_user_model()
            .objects.filter(groups__name=MEDICAL_REVIEWERS, is_active=True)
            .values_list("email", flat=True)
        )
    who = user.get_full_name() or user.get_username() if user else "The system"
    note = f"\n\nNote from the editor:\n{article.submission_note}" if article.submission_note else ""
    _send_later(
        f"Review requested: {article.title} ({article.public_id})",
        f"{who} submitted “{article.title}” for medical review.{note}\n\nReview it: {_admin_url(article)}",
        recipients,
    )


def approved(article: Article, author: Any, user: Any) -> None:
    if author is None:
        return
    when = (
        f"It goes live at {article.go_live_at:%Y-%m-%d %H:%M}." if article.go_live_at else "It is live now."
    )
    _send_later(
        f"Approved: {article.title} ({article.public_id})",
        f"{user.get_full_name() or user.get_username()} approved your update to “{article.title}”. {when}\n\n"
        f"{_admin_url(article)}",
        [author.email],
    )


def changes_requested(article: Article, author: Any, user: Any, comment: str) -> None:
    if author is None:
        return
    _send_later(
        f"Changes requested: {article.title} ({article.public_id})",
        f"{user.get_full_name() or user.get_username()} asked for changes to “{article.title}”:\n\n{comment}\n\n"
        f"Resume the draft: {_admin_url(article)}",
        [author.email],
    )
