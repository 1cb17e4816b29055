"""Importing one parsed page: create or update the working copy, then publish it.

An imported page is reviewed content (it carries its review date and credits), so it
is published as it is imported. The whole import of one page is one transaction (its own
savepoint inside an ``ImportBatch``): a refusal anywhere leaves the database as it was.

A page goes live only with the review it carries (a review date and an "Updated by" credit),
recorded as an imported review; a page without is kept as a draft for medical review. An
import never freezes someone's draft: an article whose working copy is not what is live is
refused, unless ``replace_draft`` discards that draft.

Publishing does what ``publish`` (``workflow.run("publish")``) does, through
``editorial.publishing``: the role and the state checked, a revision with the user and the
comment, the working copy frozen into a live publication, an audit event, one signal. A new
article's publication is frozen from the rows the import wrote (``snapshot.freeze_rows``, what
``snapshot.freeze`` gives without reading them back); an updated article is frozen by ``freeze``
once, both to tell whether it changed and to publish.

A run of many pages (``manage.py import_articles``) imports them in batches, one transaction
each, and pays per page only for what cannot be shared: each page is checked and its article
saved in its own savepoint; then, for the whole batch (``ImportBatch.complete``), the new
articles' rows are written one query per table, read back once for the revisions (reversion
follows them; one ``create_revision`` per page), the new publications, review records and audit
events inserted together, and the search index written and the caches told once. The standard
headings and their placements are read once per run; a reviewer, organization, citation or
credit once per run (then as this run left it).
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import reversion
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from reversion.models import Revision

from editorial import audit, publishing, translation, workflow
from editorial.actions.publish import can_publish
from editorial.errors import EditorialError, NotAllowed
from editorial.importer.parser import (
    CitationData,
    CodeData,
    CreditData,
    ImageData,
    ParsedPage,
    ParseError,
    ReviewerData,
    check_lengths,
)
from editorial.models import AuditEvent, ReviewRecord
from encyclopedia import dates
from encyclopedia.caching import publication_cache
from encyclopedia.models import (
    AlternativeName,
    Article,
    ArticleCitation,
    ArticleCredit,
    ArticleType,
    Citation,
    CodedConcept,
    EditorialCredit,
    HeadingPlacement,
    ImageAwaitingUpload,
    Language,
    Publication,
    Reviewer,
    ReviewOrganization,
    Section,
    SectionHeading,
    WorkflowState,
)
from encyclopedia.snapshot import freeze, freeze_rows, is_current, prefetch_followed
from encyclopedia.versioning import ARTICLE_FOLLOWS

# The foreign keys of an article: the import sets the reviewer and the organization to rows it
# has just read or written, and the others come from the row itself, so none needs a query to
# check that its row exists.
_ARTICLE_RELATIONS = [f.name for f in Article._meta.concrete_fields if f.is_relation]
_CITATION_FIELDS = [f.name for f in dataclasses.fields(CitationData)]
_LOOKUP_CHUNK = 500  # values per query when looking up a page's citations or credits


@dataclass
class ImportResult:
    public_id: str
    title: str
    outcome: str  # "new", "updated" (both live), "draft" (waits for review) or "unchanged"
    article_links: list[str] = field(default_factory=list)
    images_awaiting_upload: int = 0  # the page's images listed for an editor to upload
    english_title: str = ""  # a Spanish page's: the title of the English article it translates
    # (line, message): what the importer left out of the page, and why (not errors)
    notices: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class ImportLookups:
    """What the pages of a run look up: the standard section headings and, for inferring an
    article's type, the types each heading conventionally stands in (read once per run), and
    the reviewers and organizations as the run's committed batches left them."""

    headings: dict[str, SectionHeading]  # by lower-case name
    placements: dict[str, list[str]]  # heading name -> the type of each of its placements
    reviewers: dict[tuple[str, str], Reviewer] = field(default_factory=dict)  # by (name, credentials)
    organizations: dict[str, ReviewOrganization] = field(default_factory=dict)  # by name
    citations: dict[tuple, Citation] = field(default_factory=dict)  # by their fields (_CITATION_FIELDS)
    # by (name, credentials, role)
    credits: dict[tuple[str, str, str], EditorialCredit] = field(default_factory=dict)

    @classmethod
    def load(cls) -> ImportLookups:
        rows = list(SectionHeading.objects.all())
        # A Spanish page names a standard heading by its Spanish name.
        headings = {h.name_es.lower(): h for h in rows if h.name_es}
        headings.update({h.name.lower(): h for h in rows})
        placements: dict[str, list[str]] = defaultdict(list)
        for name, article_type in HeadingPlacement.objects.values_list("heading__name", "article_type"):
            placements[name].append(article_type)
        return cls(headings=headings, placements=dict(placements))

    @property
    def names(self) -> set[str]:
        """The standard headings' names, English and Spanish, as the parser wants them."""
        return {
            name for heading in self.headings.values() for name in (heading.name, heading.name_es) if name
        }


@dataclass
class _Saved:
    """A page whose rows are saved: what is left is its revision and, for a reviewed page, its
    publication, review record and going live (``ImportBatch.complete``)."""

    article: Article
    user: Any
    comment: str
    written: dict[str, list[Any]]  # the rows the import wrote, by the article's relation names
    new: bool
    publish: bool  # reviewed: goes live; otherwise kept as a draft for medical review
    frozen: dict[str, Any] | None  # an updated article's ``freeze``, taken when it was saved
    source: str
    previous: str  # the working copy's state before the import
    unsaved: list[list[Any]]  # a new article's rows, written by ``complete`` with the batch's others


class ImportBatch:
    """Pages imported one after another in one transaction, each in its own savepoint.

    It keeps what the pages of the batch share: the run's lookups; the reviewers,
    organizations, citations and credits as this transaction has them (a page's own once its
    savepoint is released; the run's lookups get them when the batch commits); the standing
    credits; each saved page's revision and publishing, done for the whole batch by
    ``complete`` (the rows of every page read in one query per table, for their revisions); and
    the articles published, whose search entries ``finish`` writes before the transaction commits.
    """

    def __init__(self, lookups: ImportLookups | None = None):
        self.lookups = lookups or ImportLookups.load()
        self.reviewers: dict[tuple[str, str], Reviewer] = {}
        self.organizations: dict[str, ReviewOrganization] = {}
        self.citations: dict[tuple, Citation] = {}
        self.credits: dict[tuple[str, str, str], EditorialCredit] = {}
        self.published: list[Article] = []
        self.before: dict[int, Publication | None] = {}
        self.publications: list[int] = []
        self._standing: list[EditorialCredit] | None = None
        self._saved: list[_Saved] = []  # pages whose revision and publishing ``complete`` does
        self._page_citations: dict[tuple, Citation] = {}  # what the page being imported found
        self._page_credits: dict[tuple[str, str, str], EditorialCredit] = {}

    def reviewer(self, name: str, credentials: str) -> Reviewer | None:
        key = (name, credentials)
        return self.reviewers.get(key) or self.lookups.reviewers.get(key)

    def organization(self, name: str) -> ReviewOrganization | None:
        return self.organizations.get(name) or self.lookups.organizations.get(name)

    def citation(self, key: tuple) -> Citation | None:
        return self._page_citations.get(key) or self.citations.get(key) or self.lookups.citations.get(key)

    def credit(self, key: tuple[str, str, str]) -> EditorialCredit | None:
        return self._page_credits.get(key) or self.credits.get(key) or self.lookups.credits.get(key)

    def found(
        self, citations: dict[tuple, Citation], credits: dict[tuple[str, str, str], EditorialCredit]
    ) -> None:
        """The citations and credits the page being imported found or wrote (kept if it is saved)."""
        self._page_citations.update(citations)
        self._page_credits.update(credits)

    def begin(self, page: ParsedPage) -> None:
        """Before ``page``'s savepoint: if it may touch an article an earlier page of the batch
        saved, that page's revision and publishing are done first, as if imported alone."""
        self._page_citations, self._page_credits = {}, {}
        if any(
            saved.article.public_id == page.public_id if page.public_id else saved.article.title == page.title
            for saved in self._saved
        ):
            self.complete()

    def standing_credits(self) -> list[EditorialCredit]:
        """The credits of an article that names none of its own (read once per batch)."""
        if self._standing is None:
            self._standing = EditorialCredit.standing_credits()
        return self._standing

    def imported(
        self, article: Article, outcome: str, before: Publication | None, saved: _Saved | None = None
    ) -> None:
        """``article``'s import is saved (its savepoint released): keep what it read and wrote,
        what is left to do (``saved``: its revision and publishing) and, if it goes live, what
        was live before (for the batch's one signal)."""
        self.citations.update(self._page_citations)
        self.credits.update(self._page_credits)
        self._page_citations, self._page_credits = {}, {}
        if saved is not None:
            self._saved.append(saved)
        if article.reviewer is not None:
            self.reviewers[(article.reviewer.name, article.reviewer.credentials)] = article.reviewer
        if article.review_organization is not None:
            self.organizations[article.review_organization.name] = article.review_organization
        if outcome in ("new", "updated"):  # it went live: the batch's one signal names it
            self.published.append(article)
            self.before[article.pk] = before

    def finish(self) -> None:
        """Announce the batch's published articles in one ``publication_changed`` signal (their
        indexes, generations and CDN purge) and cache its new publications (now, and again when
        the transaction commits, as ``encyclopedia.caching.publication_cache`` does on each save); call it
        inside the batch's transaction."""
        self.complete()
        published, self.published = self.published, []
        before, self.before = self.before, {}
        publishing.announce(published, before)
        pks, self.publications = self.publications, []
        if pks:
            publication_cache.store_many(pks)
            transaction.on_commit(lambda: publication_cache.store_many(pks))
        reviewers, organizations = dict(self.reviewers), dict(self.organizations)
        citations, credits = dict(self.citations), dict(self.credits)

        def keep() -> None:  # what this transaction wrote holds for the rest of the run
            self.lookups.reviewers.update(reviewers)
            self.lookups.organizations.update(organizations)
            self.lookups.citations.update(citations)
            self.lookups.credits.update(credits)

        transaction.on_commit(keep)

    def complete(self) -> None:
        """Revise, and publish or keep as a draft, each page saved since the last call, in order.

        The revisions follow each article's rows (``versioning.ARTICLE_FOLLOWS``): they are read
        for all the batch's articles at once, one query per table, and those a new article has
        none of are not read at all."""
        saved, self._saved = self._saved, []
        if not saved:
            return
        _insert_rows(rows for entry in saved for rows in entry.unsaved)
        for name in ARTICLE_FOLLOWS:
            empty = [entry.article for entry in saved if entry.new and not entry.written.get(name)]
            if empty:  # nothing to read: a new article has none of these rows
                model = Article._meta.get_field(name).related_model
                prefetch_related_objects(empty, Prefetch(name, queryset=model.objects.none()))
        prefetch_followed([entry.article for entry in saved])
        fresh: list[Publication] = []  # the new articles' publications, inserted together
        frozen = [_freeze(entry, self, fresh) if entry.publish else _draft(entry) for entry in saved]
        if fresh:
            self.publications += publishing.insert_batch(fresh)
        records: list[ReviewRecord] = []
        events: list[AuditEvent] = []
        for entry, publication in zip(saved, frozen, strict=True):
            if publication is not None:
                _go_live(entry, publication, records, events)
            else:
                events.append(
                    audit.unsaved(
                        entry.article, "import", entry.user, entry.comment, from_state=entry.previous
                    )
                )
        _insert(ReviewRecord, records)  # nothing listens to their post_save
        _insert(AuditEvent, events)


_NO_REVIEW = "no review date and “Updated by” credit, so it is kept as a draft for medical review"


class _Unchanged(Exception):
    """Raised inside the transaction to roll back a re-import that changes nothing."""


def import_page(
    page: ParsedPage,
    user: Any = None,
    *,
    source: str = "",
    article_type: str | None = None,
    batch: ImportBatch | None = None,
    replace_draft: bool = False,
) -> ImportResult:
    """Create or update the article in ``page``, all or nothing.

    A page that carries its review (a review date and an "Updated by" credit) goes live with
    it, recorded as an imported review; a page without is kept as a draft for medical review
    (outcome "draft"). An article with someone's draft is refused, unless ``replace_draft``
    discards that draft (audited). With ``batch``, the caller holds the transaction and calls
    ``batch.finish()`` before it commits; without, the page is a batch of its own.
    """
    if not can_publish(user):
        raise NotAllowed("You may not import articles: importing publishes them.")
    check_lengths(page)  # a page read by any reader, or built by a caller, is held to the limits
    alone = batch is None
    batch = batch or ImportBatch()
    batch.begin(page)
    try:
        with transaction.atomic():
            article, outcome, before, saved = _import(page, user, source, article_type, batch, replace_draft)
            if alone:
                batch.imported(article, outcome, before, saved)
                batch.finish()
        if not alone:
            batch.imported(article, outcome, before, saved)
        images = len(page.images)  # the page's list replaced the article's
    except _Unchanged as unchanged:
        article, outcome = unchanged.args[0], "unchanged"
        images = article.images_awaiting_upload.count()
    original = article.translation_of
    return ImportResult(
        public_id=article.public_id,
        title=page.title,
        outcome=outcome,
        article_links=page.article_links,
        images_awaiting_upload=images,
        english_title=original.title if original is not None else "",
        notices=_notices(page),
    )


def _notices(page: ParsedPage) -> list[tuple[int, str]]:
    """What the page holds that the importer does not keep: a Spanish page's references."""
    lines = page.shared_reference_lines
    if not lines:
        return []
    count = "1 reference" if len(lines) == 1 else f"{len(lines)} references"
    return [
        (
            lines[0],
            f"the page's {count} under “Referencias” not imported: a Spanish edition shows "
            f"the references of its English article {page.public_id}",
        )
    ]


def _import(
    page: ParsedPage,
    user: Any,
    source: str,
    article_type: str | None,
    batch: ImportBatch,
    replace_draft: bool,
) -> tuple[Article, str, Publication | None, _Saved | None]:
    original = _english_original(page)
    article = _existing(page, original)
    discarded = _pending_draft(article, user, replace_draft) if article is not None else ""
    new = article is None
    article = article or _new_article(page, original)
    before = article.live_publication
    reviewed = page.review_date is not None and page.reviewer is not None
    article.title = page.title
    article.summary = page.summary
    article.review_date = page.review_date
    article.article_type = article_type or article.article_type or infer_article_type(page, batch.lookups)
    if original is not None:  # a Spanish page: the translation of the English page live now
        article.translated_by = page.translated_by or article.translated_by
        translation.mark_current(article, original.live_publication)
    article.reviewer = _reviewer(page.reviewer, batch, page.credit_line) if page.reviewer else None
    article.review_organization = _organization(page.review_organization, batch, page.credit_line)
    _validate(
        article,
        exclude=[*_ARTICLE_RELATIONS, *([] if new else ["public_id"])],
        lines={"public_id": page.public_id_line, "summary": page.summary_line},
    )
    try:
        article.save()
    except ValidationError as error:  # no id left to issue, or one taken since it was checked
        raise EditorialError(" ".join(error.messages).rstrip(".")) from None
    # A new article has no rows yet: there is nothing to replace. Images and related articles
    # are not in a page file: an update keeps the live page's (the check above made sure the
    # working copy holds no one's draft of them).
    written = {
        "sections": _replace_sections(article, page, batch.lookups, new),
        "alternative_names": _replace_names(article, page.alternative_names, page.name_lines, new),
        "citation_links": _replace_citations(article, page.citations, page.citation_lines, new, batch),
        "credit_links": _replace_credits(article, page.also_reviewed_by, page.credit_line, new, batch),
        "codes": _replace_codes(article, page.codes, new),
        **({"images": [], "related_links": []} if new else {}),
    }
    rows = [*written.values(), _images_awaiting_upload(article, page.images, new)]
    if not new:  # a new article's rows are written with the batch's others (ImportBatch.complete)
        _insert_rows(rows)
    # An updated article is frozen once: to tell whether it changed, then to publish it.
    frozen = None if new else freeze(article)
    if not new and reviewed and is_current(article, frozen):
        if not discarded:
            raise _Unchanged(article)
        return article, "unchanged", None, None  # the draft is discarded; the live page was the page already
    comment = f"Imported from {source}" if source else "Imported"
    if reviewed:
        workflow.check("publish", article, user)  # refused here, with nothing of the page saved
    saved = _Saved(
        article=article,
        user=user,
        comment=comment if reviewed else f"{comment}: {_NO_REVIEW}",
        written=written,
        new=new,
        publish=reviewed,
        frozen=frozen,
        source=source,
        previous=article.state,
        unsaved=rows if new else [],
    )
    if reviewed:
        return article, "new" if new else "updated", before, saved
    return article, "draft", None, saved


def _pending_draft(article: Article, user: Any, replace_draft: bool) -> str:
    """Refuse to import over someone's draft; with ``replace_draft``, say what is discarded.

    A draft is anything in the working copy that is not live: a draft, one in review, or an
    approved update waiting for its time. A draft an earlier import made (no review yet) is
    the importer's own, and is replaced.
    """
    if article.state == WorkflowState.PUBLISHED or _is_import_draft(article):
        return ""
    revision = workflow.latest_revision(article)
    who, when = "someone", timezone.localtime(article.updated_at)
    if revision is not None:
        who = (
            (revision.user.get_full_name() or revision.user.get_username()) if revision.user else "the system"
        )
        when = timezone.localtime(revision.date_created)
    status = workflow.status_text(article).lower()
    described = f"a draft ({status}) last changed by {who} on {dates.moment(when)}"
    if not replace_draft:
        raise EditorialError(
            f"article {article.public_id} “{article.title}” has {described}: import it once that "
            "draft is published or sent back, or run again with --replace-draft to discard it"
        )
    # The working copy goes back to what is live (images and related articles included, which a
    # page file does not carry), or, for an article never live, loses them.
    live = article.live_publication
    if live is not None and live.revision is not None:
        live.revision.revert(delete=True)
        article.refresh_from_db()
    else:
        article.images.all().delete()
        article.related_links.all().delete()
    article.go_live_at = None  # an approved update waiting for its time is cancelled with the draft
    previous = article.state
    article.state = WorkflowState.PUBLISHED if article.is_live else WorkflowState.DRAFT
    article.end_submission()  # saved with the page's fields by the caller
    discarded = f"Discarded {described}, replaced by an import (--replace-draft)"
    audit.record(article, "discard_draft", user, discarded, from_state=previous, to_state=article.state)
    return discarded


def _is_import_draft(article: Article) -> bool:
    """Whether the working copy is a draft an import wrote and nobody has touched since."""
    if article.state != WorkflowState.DRAFT:
        return False
    last = (
        AuditEvent.objects.filter(article=article, action__in=workflow.CONTENT_CHANGES)
        .order_by("-id")
        .values_list("action", flat=True)
        .first()
    )
    return last == "import"


def _draft(saved: _Saved) -> None:
    """Keep an unreviewed page as a draft: a revision (and an audit event, which ``complete``
    saves with the batch's others); nothing goes live."""
    article = saved.article
    article.state = WorkflowState.DRAFT
    article.save(update_fields=["state"])
    _revise(article, saved.user, saved.comment)


def _freeze(saved: _Saved, batch: ImportBatch, fresh: list[Publication]) -> Publication:
    """The publication of the article this import has saved and holds locked, with the page's
    review (``workflow.check`` passed when it was saved), frozen through ``editorial.publishing``
    after its revision. An updated article is published as it was frozen when saved; a new one is
    frozen from the rows just written, and its publication is added to ``fresh``, for
    ``publishing.insert_batch``."""
    article, user = saved.article, saved.user
    revision = _revise(article, user, saved.comment)
    return publishing.freeze(
        article,
        user,
        revision,
        fields=_frozen(article, saved.written, batch.standing_credits) if saved.new else saved.frozen,
        batch=fresh if saved.new else None,
    )


def _go_live(
    saved: _Saved, publication: Publication, records: list[ReviewRecord], events: list[AuditEvent]
) -> None:
    """Make ``publication`` live (``editorial.publishing``), the review recorded as the page
    states it and audited: the record and the event are added to ``records`` and ``events``,
    saved with the batch's others; the signal for the batch's articles is sent once, by
    ``ImportBatch.finish``."""
    article, user = saved.article, saved.user
    if saved.new or not article.review_records.filter(reviewed_on=article.review_date).exists():
        records.append(
            ReviewRecord(
                article=article,
                reviewer=article.reviewer,
                user=user if getattr(user, "is_authenticated", False) else None,
                reviewed_on=article.review_date,
                outcome=ReviewRecord.Outcome.IMPORTED,
                credit=publication.updated_by,
                notes=f"As stated on the imported page ({saved.source or 'import'}).",
                publication=publication,
            )
        )
    publishing.go_live(article, publication, announce=False)
    events.append(
        audit.unsaved(
            article,
            "publish",
            user,
            saved.comment,
            from_state=saved.previous,
            to_state=article.state,
            publication=publication.pk,
        )
    )


def _revise(article: Article, user: Any, comment: str) -> Revision | None:
    """A revision of ``article`` (and the rows it follows) with ``user`` and ``comment``; the
    revision, as ``workflow.latest_revision`` would find it."""
    # The revision is saved inside the import's own savepoint (atomic=False).
    with workflow.saved_revisions() as saved, reversion.create_revision(atomic=False):
        reversion.add_to_revision(article)
        if user is not None:
            reversion.set_user(user)
        reversion.set_comment(comment)
    # Inside an enclosing revision, nothing is saved yet: the latest one is what run() would use.
    return saved[-1] if saved else workflow.latest_revision(article)


def _frozen(
    article: Article, written: dict[str, list[Any]], standing_credits: Callable[[], list[EditorialCredit]]
) -> dict[str, Any]:
    """``snapshot.freeze(article)`` for a new article, from the rows just written (in order):
    it has no images and no related articles yet."""
    return freeze_rows(
        article,
        sections=written["sections"],
        names=[row.name for row in written["alternative_names"]],
        citations=[link.citation for link in written["citation_links"]],
        images=[],
        related=[],
        credit_rows=EditorialCredit.shown(
            [link.credit for link in written["credit_links"]], standing_credits
        ),
        codes=written["codes"],
    )


def _english_original(page: ParsedPage) -> Article | None:
    """For a Spanish page, the English article it translates (the same id); None for an English
    page. A Spanish page whose English article is not there is refused at its URL line."""
    if page.language != Language.SPANISH:
        return None
    if not page.public_id:
        raise ParseError("a Spanish page needs its “URL de esta página” line naming the article id")
    original = Article.objects.english().filter(public_id=page.public_id).first()
    if original is None:
        raise ParseError(
            f"this Spanish page translates article {page.public_id}, which has no English article: "
            "import the English page first",
            page.public_id_line,
        )
    return original


def _new_article(page: ParsedPage, original: Article | None) -> Article:
    if original is None:
        return Article(public_id=page.public_id or "")
    return Article(
        public_id=original.public_id,
        language=Language.SPANISH,
        translation_of=original,
        article_type=original.article_type,
        specialty=original.specialty,
    )


def _existing(page: ParsedPage, original: Article | None) -> Article | None:
    """The article this page updates: by its id (a Spanish page: the Spanish edition of that id),
    or, for a page without one, by its exact English title."""
    if original is not None:
        return Article.objects.select_for_update().filter(translation_of=original).first()
    english = Article.objects.english().select_for_update()
    if page.public_id:
        return english.filter(public_id=page.public_id).first()
    same_title = list(english.filter(title=page.title)[:2])
    return same_title[0] if len(same_title) == 1 else None


def infer_article_type(page: ParsedPage, lookups: ImportLookups) -> str:
    """The type whose conventional headings the page's headings match best (ties: the first by name).

    ``lookups`` is the run's, read once: every page of a run infers from the same placements."""
    placements = lookups.placements
    counts: Counter[str] = Counter()
    for name in {section.heading for section in page.sections}:
        counts.update(placements.get(name, ()))
    if not counts:
        return ArticleType.SPECIAL_TOPIC
    return min(counts.items(), key=lambda item: (-item[1], item[0]))[0]


def _validate(
    obj: Any, line: int = 0, exclude: list[str] | None = None, lines: dict[str, int] | None = None
) -> None:
    """``obj.full_clean`` as a ``ParseError`` at ``line``, or at the line ``lines`` gives the first
    refused field (an article's id is on its "URL of this page" line, not at the whole file)."""
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        details = "; ".join(
            f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
            for name, messages in error.message_dict.items()
        )
        named = [(lines or {}).get(name, 0) for name in error.message_dict]
        raise ParseError(f"{obj._meta.verbose_name}: {details}", next(filter(None, named), line)) from None


def _reviewer(data: ReviewerData, batch: ImportBatch, line: int) -> Reviewer:
    known = batch.reviewer(data.name, data.credentials)
    if known is not None and _same(known, data.__dict__):
        return known  # as an earlier page of the run left it
    reviewer = Reviewer.objects.filter(name=data.name, credentials=data.credentials).first()
    if reviewer is not None and _same(reviewer, data.__dict__):
        return reviewer  # already as the page credits them
    reviewer = reviewer or Reviewer(name=data.name, credentials=data.credentials)
    for name, value in data.__dict__.items():
        setattr(reviewer, name, value)
    _validate(reviewer, line, exclude=["user"])  # the page names no login: the row keeps its own
    reviewer.save()
    return reviewer


def _same(obj: models.Model, values: dict[str, Any]) -> bool:
    return all(getattr(obj, name) == value for name, value in values.items())


def _organization(name: str, batch: ImportBatch, line: int) -> ReviewOrganization | None:
    if not name:
        return None
    known = batch.organization(name)
    if known is not None:
        return known
    organization = ReviewOrganization.objects.filter(name=name).first() or ReviewOrganization(name=name)
    if organization.pk is None:
        _validate(organization, line)
        organization.save()
    return organization


def _replace_sections(article: Article, page: ParsedPage, lookups: ImportLookups, new: bool) -> list[Section]:
    if not new:
        article.sections.all().delete()
    rows = []
    for position, data in enumerate(page.sections, start=1):
        heading = lookups.headings.get(data.heading.lower())
        section = Section(
            article=article,
            position=position,
            heading=heading,
            custom_heading="" if heading else data.heading,
            body=data.body,
        )
        _validate(section, data.line, exclude=["article", "heading"])  # a heading just read: it exists
        rows.append(section)
    return rows


def _images_awaiting_upload(
    article: Article, images: list[ImageData], new: bool
) -> list[ImageAwaitingUpload]:
    """The images a saved HTML page showed, listed for an editor to upload (never fetched, never
    shown): the page's list replaces what an earlier import of it recorded."""
    if not new:
        article.images_awaiting_upload.all().delete()
    rows = []
    for position, data in enumerate(images, start=1):
        row = ImageAwaitingUpload(article=article, position=position, **dataclasses.asdict(data))
        _validate(row, exclude=["article"])
        rows.append(row)
    return rows


def _replace_names(
    article: Article, names: list[str], lines: dict[str, int], new: bool
) -> list[AlternativeName]:
    if not new:
        article.alternative_names.all().delete()
    rows = []
    for position, name in enumerate(names, start=1):
        row = AlternativeName(article=article, name=name, position=position)
        _validate(row, lines.get(name, 0), exclude=["article"])
        rows.append(row)
    return rows


def _replace_codes(article: Article, codes: list[CodeData], new: bool) -> list[CodedConcept]:
    """The page's "Codes:" replace the article's codes, as its Alternative Names replace its names."""
    if not new:
        article.codes.all().delete()
    rows = []
    for position, data in enumerate(codes, start=1):
        row = CodedConcept(
            article=article,
            system=data.system,
            code=data.code,
            display_name=data.display_name,
            position=position,
        )
        _validate(row, data.line, exclude=["article"])
        rows.append(row)
    return rows


def _first_matches(
    model: type[models.Model], fields: Sequence[str], keys: Iterable[tuple], *, by: str, order: Sequence[str]
) -> dict[tuple, Any]:
    """For each of ``keys`` (values of ``fields``), the first row in ``order`` with exactly those
    values, as ``filter(**values).first()`` finds it: the rows sharing the ``by`` field are read
    in one query, and compared field by field here."""
    wanted = set(keys)
    column = list(fields).index(by)
    values = list(dict.fromkeys(key[column] for key in wanted))
    found: dict[tuple, Any] = {}
    for start in range(0, len(values), _LOOKUP_CHUNK):
        rows = model.objects.filter(**{f"{by}__in": values[start : start + _LOOKUP_CHUNK]}).order_by(*order)
        for row in rows:
            key = tuple(getattr(row, name) for name in fields)
            if key in wanted:
                found.setdefault(key, row)
    return found


def _citations(items: list[CitationData], lines: list[int], batch: ImportBatch) -> list[Citation]:
    """Each reference's citation: an existing one with exactly its fields (as this run found it,
    or read now), or a new one (checked, a refusal naming the reference's line in ``lines``,
    where the reader gave it; the page's new ones written in one query)."""
    keys = [tuple(getattr(data, name) for name in _CITATION_FIELDS) for data in items]
    found = {key: known for key in keys if (known := batch.citation(key)) is not None}
    unknown = [key for key in keys if key not in found]
    if unknown:
        found.update(
            _first_matches(Citation, _CITATION_FIELDS, unknown, by="title", order=("authors", "title", "pk"))
        )
    created: dict[tuple, Citation] = {}
    for index, (data, key) in enumerate(zip(items, keys, strict=True)):
        if key not in found and key not in created:
            citation = Citation(**data.as_dict())
            _validate(citation, lines[index] if index < len(lines) else 0)
            created[key] = citation
    if created:
        _insert(Citation, list(created.values()))
        found.update(created)
    batch.found(citations={key: found[key] for key in keys}, credits={})
    return [found[key] for key in keys]


def _insert_rows(groups: Iterable[list[Any]]) -> None:
    """Insert the rows of ``groups``, one query per table, in the order their tables first come."""
    by_model: dict[type[models.Model], list[Any]] = {}
    for rows in groups:
        for row in rows:
            by_model.setdefault(type(row), []).append(row)
    for model, rows in by_model.items():
        _insert(model, rows)


def _insert(model: type[models.Model], rows: list[models.Model]) -> None:
    """Insert ``rows`` (nothing listens to their ``post_save``) with their primary keys set: in
    one query where the database returns them, PostgreSQL and SQLite do."""
    if connection.features.can_return_rows_from_bulk_insert:
        model.objects.bulk_create(rows)
    else:
        for row in rows:
            row.save(force_insert=True)


def _replace_citations(
    article: Article, items: list[CitationData], lines: list[int], new: bool, batch: ImportBatch
) -> list[ArticleCitation]:
    if not new:
        article.citation_links.all().delete()
    seen: set[int] = set()
    links = []
    for position, citation in enumerate(_citations(items, lines, batch), start=1):
        if citation.pk not in seen:
            seen.add(citation.pk)
            links.append(ArticleCitation(article=article, citation=citation, position=position))
    return links


def _replace_credits(
    article: Article, items: list[CreditData], line: int, new: bool, batch: ImportBatch
) -> list[ArticleCredit]:
    if not new:
        article.credit_links.all().delete()
    fields = ("name", "credentials", "role")
    keys = [(data.name, data.credentials, data.role) for data in items]
    found = {key: known for key in keys if (known := batch.credit(key)) is not None}
    unknown = [key for key in keys if key not in found]
    if unknown:
        found.update(_first_matches(EditorialCredit, fields, unknown, by="name", order=("position", "id")))
    seen: set[int] = set()
    links = []
    for position, key in enumerate(keys, start=1):
        credit = found.get(key)
        if credit is None:
            credit = EditorialCredit(**dict(zip(fields, key, strict=True)), standing=False)
            _validate(credit, line)
            credit.save()
            found[key] = credit
        if credit.pk not in seen:  # a credit named twice keeps its first place
            seen.add(credit.pk)
            links.append(ArticleCredit(article=article, credit=credit, position=position))
    batch.found(citations={}, credits=found)
    return links
