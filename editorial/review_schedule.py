"""The review schedule of chosen articles as CSV, for a spreadsheet (an action of the article list)."""

from __future__ import annotations

import csv

from django.http import HttpResponse
from django.utils import timezone

from editorial import workflow
from encyclopedia import reviews


def review_schedule_csv(articles) -> HttpResponse:
    """The review schedule of the chosen articles, for a spreadsheet."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="review-schedule.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "Article id",
            "Title",
            "Type",
            "Status",
            "Review date",
            "Next review due",
            "Review status",
            "Responsible reviewer",
            "Specialty",
        ]
    )
    today = timezone.localdate()
    for article in articles.select_related("reviewer", "live_publication").order_by(
        "next_review_due", "title"
    ):
        writer.writerow(
            [
                article.public_id,
                _spreadsheet_safe(article.title),
                article.get_article_type_display(),
                workflow.status_text(article),
                article.review_date.isoformat() if article.review_date else "",
                article.next_review_due.isoformat() if article.next_review_due else "",
                reviews.due_status(article.next_review_due, today),
                _spreadsheet_safe(article.reviewer.name) if article.reviewer else "",
                _spreadsheet_safe(article.specialty),
            ]
        )
    return response


def _spreadsheet_safe(value: str) -> str:
    """Cells starting with = + - @ are formulas to a spreadsheet: quote them."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
