"""How credit lines are assembled from structured fields (reviewers, editorial credits)."""

from collections.abc import Iterable


def join_parts(parts: Iterable[str]) -> str:
    """Join the non-empty parts of one credit with commas."""
    return ", ".join(part.strip() for part in parts if part and part.strip())


def reviewer_credit(
    *,
    name: str,
    credentials: str = "",
    title: str = "",
    department: str = "",
    institution: str = "",
    city: str = "",
    state: str = "",
) -> str:
    """ "Joseph V. Campellone, MD, Department of Neurology, ..., Camden, NJ"."""
    return join_parts([name, credentials, title, department, institution, city, state])


def join_credits(items: list[str]) -> str:
    """A list of credits as prose: "A, B, and C". Each credit may itself hold commas."""
    items = [item for item in items if item]
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + ", and " + items[-1]


def credit_line(updated_by: str, review_organization: str, also_reviewed_by: str) -> str:
    """ "Updated by: …. Review provided by …. Also reviewed by …." with whichever parts exist."""
    parts = []
    if updated_by:
        parts.append(f"Updated by: {updated_by}.")
    if review_organization:
        parts.append(f"Review provided by {review_organization}.")
    if also_reviewed_by:
        parts.append(f"{'Also reviewed' if updated_by else 'Reviewed'} by {also_reviewed_by}.")
    return " ".join(parts)
