"""The transition table, and the one way every transition runs.

Each action module in ``editorial/actions`` names its row here and calls ``run``:
``run`` checks the role and the state, locks the article row, applies the change in
one transaction, records a reversion revision with the user and the comment, and
writes an audit event. The admin asks ``allowed_actions`` which buttons to offer, so
what it offers and what the functions accept come from the same table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import reversion
from django.db import transaction
from reversion.models import Revision, Version
from reversion.signals import post_revision_commit

from editorial import audit, publishing
from editorial.errors import EditorialError, NotAllowed, Untranslated
from editorial.models import AuditEvent, ReviewRecord
from encyclopedia import snapshot
from encyclopedia.models import Article, Publication, WorkflowState

EDITABLE_STATES = {WorkflowState.DRAFT, WorkflowState.CHANGES_REQUESTED, WorkflowState.PUBLISHED}


@dataclass(frozen=True)
class Transition:
    label: str
    permission: str
    states: frozenset[str]  # the working-copy states it starts from; empty: any
    needs_live: bool = False  # only for an article the public can see
    needs_gone: bool = False  # only for a withdrawn or merged article
    needs_spanish: bool = False  # only for a Spanish edition


TRANSITIONS: dict[str, Transition] = {
    "submit": Transition(
        "Submit for medical review",
        "encyclopedia.submit_article",
        frozenset({WorkflowState.DRAFT, WorkflowState.CHANGES_REQUESTED}),
    ),
    "request_changes": Transition(
        "Request changes", "encyclopedia.review_article", frozenset({WorkflowState.IN_REVIEW})
    ),
    "approve": Transition("Approve", "encyclopedia.review_article", frozenset({WorkflowState.IN_REVIEW})),
    "confirm": Transition(
        "Confirm still accurate", "encyclopedia.review_article", frozenset(), needs_live=True
    ),
    "publish_correction": Transition(
        "Publish a minor correction",
        "encyclopedia.publish_article",
        frozenset({WorkflowState.DRAFT}),  # never a draft a reviewer sent back: that waits for a review
        needs_live=True,
    ),
    "confirm_translation": Transition(
        "Confirm translation still matches", "encyclopedia.review_article", frozenset(), needs_spanish=True
    ),
    "add_translation": Transition(
        "Add Spanish edition", "encyclopedia.add_article", frozenset(), needs_live=True
    ),
    "withdraw": Transition("Withdraw", "encyclopedia.withdraw_article", frozenset(), needs_live=True),
    "merge": Transition(
        "Merge into another article", "encyclopedia.withdraw_article", frozenset(), needs_live=True
    ),
    "restore": Transition("Restore", "encyclopedia.withdraw_article", frozenset(), needs_gone=True),
    "revert": Transition(
        "Revert the draft to this version", "encyclopedia.change_article", frozenset(EDITABLE_STATES)
    ),
    "publish": Transition("Publish", "encyclopedia.publish_article", frozenset()),
}


def is_gone(article: Article) -> bool:
    return article.withdrawn_at is not None or article.merged_into_id is not None


def status_text(article: Article) -> str:
    """How the admin names where an article stands: "Live + draft", "In review", "Withdrawn"…"""
    if article.merged_into_id:
        return "Merged"
    if article.withdrawn_at:
        return "Withdrawn"
    if article.is_live and article.state == WorkflowState.PUBLISHED:
        return "Live"
    label = article.get_state_display()
    return f"Live + {label.lower()}" if article.is_live else label


def has_role(user: Any, permission: str) -> bool:
    """``None`` is the system itself (management commands); people need the permission."""
    return user is None or user.has_perm(permission)


def _untranslated(article: Article) -> str:
    """What of a Spanish edition is still as ``add_spanish_edition`` left it: its summary, or every
    section's text (a blank page would go live with the English title alone); "" if neither."""
    empty = ["the summary"] if not article.summary.strip() else []
    bodies = list(article.sections.values_list("body", flat=True))
    if bodies and not any(body.strip() for body in bodies):
        empty.append("every section")
    return " and ".join(empty)


def check(name: str, article: Article, user: Any) -> None:
    """Raise if ``user`` may not take transition ``name`` on ``article`` now."""
    transition = TRANSITIONS[name]
    if not has_role(user, transition.permission):
        raise NotAllowed(f"You may not {transition.label.lower()}: your role does not allow it.")
    if name in GOES_LIVE and article.is_translation and is_gone(article.translation_of):
        raise EditorialError(
            f"The English article {article.public_id} is withdrawn or merged, so its Spanish edition "
            "cannot go live: restore the English article first."
        )
    if transition.needs_gone:
        if not is_gone(article):
            raise EditorialError(f"“{transition.label}” is for a withdrawn or merged article.")
        return
    if is_gone(article):
        raise EditorialError("The article is withdrawn or merged; restore it first.")
    if transition.states and article.state not in transition.states:
        raise EditorialError(
            f"“{transition.label}” is not possible while the article is “{status_text(article)}”."
        )
    if transition.needs_live and not article.is_live:
        raise EditorialError(f"“{transition.label}” needs a live article; {article.public_id} is not live.")
    if transition.needs_spanish and not article.is_translation:
        raise EditorialError(f"“{transition.label}” is for a Spanish edition.")
    if name == "confirm" and article.is_translation and article.out_of_date_since is not None:
        # A new review date on a page that still lacks the English change would vouch for it.
        raise EditorialError(
            "The translation is out of date with the English page, so its review date cannot move: "
            "update the translation and submit it for review, or, if the English change needs no "
            "change in Spanish, use “Confirm translation still matches”."
        )
    if name == "confirm_translation" and article.out_of_date_since is None:
        raise EditorialError(
            "The translation is up to date with the English page: there is nothing to confirm."
        )
    if name == "add_translation":
        if article.is_translation:
            raise EditorialError("A Spanish edition is translated from its English article, not from itself.")
        if article.translations.exists():
            raise EditorialError(f"Article {article.public_id} has a Spanish edition already.")
    if name in REVIEWS and user is not None:
        profile = getattr(user, "reviewer_profile", None)
        if profile is None:
            raise NotAllowed(
                "Your login is not linked to a reviewer profile, so the page could not credit you: "
                "an editorial director links it under Reviewers."
            )
        if not profile.qualified_for(article.language):
            raise NotAllowed(
                f"You are not qualified to review the {article.get_language_display()} edition: "
                "an editorial director lists the languages you review under Reviewers."
            )
        if name == "approve" and user.pk in contributors(article):
            raise NotAllowed("You cannot approve a draft that contains your own changes.")
    if name in READS_THE_TEXT and article.is_translation and user is not None:
        profile = getattr(user, "reviewer_profile", None)
        if profile is None or not profile.qualified_for(article.language):
            raise NotAllowed(
                f"“{transition.label}” on the {article.get_language_display()} edition needs someone "
                "who reviews that language: an editorial director lists reviewers' languages under Reviewers."
            )
    # Last, so that the step is offered (``allowed_actions``) only when nothing else refuses it.
    if (name == "submit" or name in GOES_LIVE) and article.is_translation:
        empty = _untranslated(article)
        if empty:
            raise Untranslated(
                f"The Spanish edition is not translated yet: {empty} still empty. Translate it "
                "before it goes to review or live."
            )


# The transitions that put a page before the public: never a Spanish edition's while its English
# article is withdrawn or merged (the reason for taking the English page down applies to it).
GOES_LIVE = ("approve", "publish", "publish_correction", "restore")

# The transitions that are a medical reviewer's judgement: they need a reviewer profile to credit,
# qualified for the edition's language.
REVIEWS = ("approve", "confirm", "confirm_translation")

# The other transitions that pass judgement on a translation's words: on a Spanish edition they
# need a reviewer qualified for Spanish, or unreviewed Spanish text could reach the public unread.
READS_THE_TEXT = ("request_changes", "publish_correction")


def allowed_actions(article: Article, user: Any) -> list[tuple[str, str]]:
    """The (name, label) of each transition ``user`` may take on ``article`` now."""
    offered = []
    for name, transition in TRANSITIONS.items():
        if name in ("revert", "publish"):
            continue  # offered on the history page and by commands, not as buttons
        if name == "confirm" and article.state != WorkflowState.PUBLISHED:
            continue  # a draft of changes is waiting: review that, not the page as it stands
        try:
            check(name, article, user)
        except Untranslated:
            pass  # the step's page says what is still empty
        except EditorialError:
            continue
        offered.append((name, transition.label))
    return offered


CONTENT_CHANGES = ("edit", "revert", "recover", "import")
# The events that freeze the working copy into a publication (a confirmation does not).
FREEZES = ("publish", "approve", "publish_correction", "publish_scheduled")


def contributors(article: Article) -> set[int]:
    """Ids of the users whose changes are in the draft: who changed it since it was last frozen."""
    events = AuditEvent.objects.filter(article=article, action__in=CONTENT_CHANGES, user__isnull=False)
    frozen = (
        AuditEvent.objects.filter(article=article, action__in=FREEZES, data__has_key="publication")
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    if frozen is not None:
        events = events.filter(id__gt=frozen)
    users = set(events.values_list("user", flat=True))
    if article.submitted_by_id:
        users.add(article.submitted_by_id)
    return users


def run(
    name: str,
    article: Article,
    user: Any,
    *,
    comment: str,
    change: Callable[[Article], None] | None = None,
    publish: bool = False,
    keep_review: bool = False,
    data: dict | None = None,
) -> Article:
    """Run transition ``name``: check, lock, change, revise, audit; all or nothing.

    ``change`` edits the locked article before it is saved. With ``publish`` the saved
    working copy is frozen into a new live Publication; ``keep_review`` keeps the live
    page's review date and credits (a minor correction is not a medical review).
    """
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        check(name, locked, user)
        previous = locked.state
        with saved_revisions() as saved, reversion.create_revision():
            if change is not None:
                change(locked)
            # Read after the change, for the revision (which follows them) and the publication.
            snapshot.prefetch_followed([locked])
            locked.save()
            if user is not None:
                reversion.set_user(user)
            reversion.set_comment(comment)
        revision = saved[-1] if saved else latest_revision(locked)
        publication = go_live(locked, user, revision, keep_review=keep_review) if publish else None
        audit.record(
            locked,
            name,
            user,
            comment,
            from_state=previous,
            to_state=locked.state,
            **({"publication": publication.pk} if publication else {}),
            **(data or {}),
        )
    article.refresh_from_db()
    return locked


def latest_revision(article: Article) -> Revision | None:
    version = Version.objects.get_for_object(article).select_related("revision__user").first()
    return version.revision if version else None


# The revisions saved inside ``saved_revisions`` blocks, innermost block first.
_saved_revisions: ContextVar[list[Revision] | None] = ContextVar("saved_revisions", default=None)


def _remember_revision(sender: Any, revision: Revision, **kwargs: Any) -> None:
    saved = _saved_revisions.get()
    if saved is not None:
        saved.append(revision)


post_revision_commit.connect(_remember_revision, dispatch_uid="workflow-remember-revision")


@contextmanager
def saved_revisions() -> Iterator[list[Revision]]:
    """The revisions reversion saves in the block, so that the caller need not read its own back
    (``latest_revision``). Empty when the block's revision is part of an enclosing one, which is
    saved later: then ``latest_revision`` is what the caller uses."""
    saved: list[Revision] = []
    token = _saved_revisions.set(saved)
    try:
        yield saved
    finally:
        _saved_revisions.reset(token)


def go_live(article: Article, user: Any, revision: Revision | None, *, keep_review: bool) -> Publication:
    """Freeze the working copy the reviewer saw and make it live now; the approval it answers
    (if any) is linked to the new publication. The rows are those ``run`` read for the revision."""
    publication = publishing.freeze(
        article, user, revision, fields=snapshot.freeze_followed(article), keep_review=keep_review
    )
    if not keep_review:
        link_review(article, publication)
    return publishing.go_live(article, publication)


def link_review(article: Article, publication: Publication) -> None:
    """The approval waiting for a publication is the review of ``publication``."""
    ReviewRecord.objects.filter(
        article=article, outcome=ReviewRecord.Outcome.APPROVED, publication=None
    ).update(publication=publication)


def scheduled_publication(article: Article) -> Publication | None:
    """The approved publication waiting for the article's go-live time, if any."""
    if article.state != WorkflowState.APPROVED or article.go_live_at is None:
        return None
    return article.publications.filter(published_at=article.go_live_at).order_by("-id").first()
