"""What an article is: its structured content, its credits, and its frozen publications.

The admin edits the working copy (``Article`` with its sections, alternative names and
citation links). Publishing freezes it into a ``Publication``; the public site reads
publications only.
"""

from __future__ import annotations

import contextlib
import datetime
import secrets
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar

import reversion
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import RegexValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Value
from django.db.models.functions import Cast, Concat, LPad
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext

from encyclopedia import coding, credits, dates, images, limits, media, references, reviews, versioning
from encyclopedia.fields import PlainCharField, PlainTextField
from encyclopedia.paths import article_path

# Ids from here up are for sample content; ids are assigned automatically below it.
SAMPLE_IDS_FROM = "900000"

public_id_validator = RegexValidator(r"^[0-9]{6}\Z", "An article id is six digits, like 003194.")

# The ids issued automatically: the lowest never issued, from 000001 to 899999 (000000 is no id).
FIRST_ID = "000001"
LAST_AUTOMATIC_ID = f"{int(SAMPLE_IDS_FROM) - 1:06d}"

# Set while load_demo creates the sample articles: only then may a new article take a sample id.
_sample_ids_allowed: ContextVar[bool] = ContextVar("sample_ids_allowed", default=False)


@contextlib.contextmanager
def sample_ids_allowed() -> Iterator[None]:
    """Within this block, new articles may take ids from the sample range (load_demo)."""
    token = _sample_ids_allowed.set(True)
    try:
        yield
    finally:
        _sample_ids_allowed.reset(token)


def check_new_public_id(value: str) -> None:
    """Refuse an id typed for a new article that no new article may have: 000000, or one in the
    sample range outside load_demo. (Its format is ``public_id_validator``'s; whether it was
    issued before is ``Article.clean``'s.)"""
    if not (len(value) == 6 and value.isascii() and value.isdigit()):
        return  # not an id at all: public_id_validator says so
    if value == "000000":
        raise ValidationError("000000 is not an article id; ids start at 000001.")
    if value >= SAMPLE_IDS_FROM and not _sample_ids_allowed.get():
        raise ValidationError(
            f"Ids from {SAMPLE_IDS_FROM} up are kept for sample content; choose one below {SAMPLE_IDS_FROM}, "
            "or leave the id empty for the next free one."
        )


class ArticleType(models.TextChoices):
    DISEASE = "disease", "Disease"
    SYMPTOM = "symptom", "Symptom"
    TEST = "test", "Test"
    SURGERY = "surgery", "Surgery"
    INJURY = "injury", "Injury"
    NUTRITION = "nutrition", "Nutrition"
    SPECIAL_TOPIC = "special_topic", "Special topic"
    SELF_CARE = "self_care", "Self-care"


class WorkflowState(models.TextChoices):
    """Where the working copy stands. "Published" means it is exactly what is live."""

    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved (scheduled)"
    PUBLISHED = "published", "Published"


# Each article status rule is written once here: the queryset and the model use them, and the
# admin's list filters, which need Q objects for their facet counts, use the Q objects directly.
# Live: the public can see it. Withdrawing or merging clears live_publication, so gone is not live.
LIVE = models.Q(live_publication__isnull=False)
# Gone: withdrawn or merged, off the public site until a director restores it.
GONE = ~models.Q(withdrawn_at__isnull=True, merged_into__isnull=True)
# Locked: the draft is in review or approved and waiting to go live, so nobody may edit it.
LOCKED_STATES = (WorkflowState.IN_REVIEW, WorkflowState.APPROVED)


class Language(models.TextChoices):
    """The editions an article may have: the English original and its Spanish translation."""

    ENGLISH = "en", "English"
    SPANISH = "es", "Spanish"


def language_codes(value: str) -> list[str]:
    """The language codes in a comma-separated list ("en,es", "EN, Es"), known ones only, in order."""
    known = set(Language.values)
    return [code for code in (part.strip().lower() for part in (value or "").split(",")) if code in known]


def check_language_list(value: str) -> None:
    """Refuse a reviewer's language list naming a language the site has no edition in."""
    parts = [part.strip() for part in (value or "").split(",") if part.strip()]
    unknown = [part for part in parts if part.lower() not in Language.values]
    valid = "“en” (English), “es” (Spanish) or “en,es” (both)"
    if unknown:
        raise ValidationError(
            f"“{', '.join(unknown)}” is not a language of the site: list the languages as codes "
            f"separated by commas, {valid}."
        )
    if not parts:
        raise ValidationError(f"List at least one language, as codes separated by commas: {valid}.")


@reversion.register(follow=("placements",))
class SectionHeading(models.Model):
    """One of the standard section headings, managed in the admin."""

    name = PlainCharField(max_length=120, unique=True)
    name_es = PlainCharField(
        "Spanish name", max_length=120, blank=True, help_text="The heading in the Spanish edition."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def name_in(self, language: str) -> str:
        """The heading as an edition in ``language`` prints it (English if no Spanish name yet)."""
        if language == Language.SPANISH and self.name_es:
            return self.name_es
        return self.name


@reversion.register()
class HeadingPlacement(models.Model):
    """Where a standard heading conventionally stands in an article of one type."""

    heading = models.ForeignKey(SectionHeading, on_delete=models.CASCADE, related_name="placements")
    article_type = models.CharField(max_length=20, choices=ArticleType.choices)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["article_type", "position"]
        constraints = [
            models.UniqueConstraint(fields=["heading", "article_type"], name="unique_heading_per_type"),
        ]

    def __str__(self) -> str:
        return f"{self.get_article_type_display()} #{self.position}: {self.heading}"


class IssuedArticleId(models.Model):
    """Every article id ever issued. Rows are never deleted, so no id is handed out twice."""

    value = models.CharField(max_length=6, primary_key=True, validators=[public_id_validator])
    issued_at = models.DateTimeField(auto_now_add=True)
    automatic = models.BooleanField(
        default=False, editable=False, help_text="Issued as the lowest free id (not typed by hand)."
    )

    class Meta:
        indexes = [models.Index(fields=["automatic", "value"], name="issued_id_automatic")]

    def __str__(self) -> str:
        return self.value

    @classmethod
    def claim(cls, value: str) -> bool:
        """Record ``value`` as issued; whether this call issued it (an import saves hundreds of
        articles in one transaction: two statements, no savepoint). An id another transaction
        issues meanwhile counts as issued here too: its article and this one then meet at the
        articles' unique constraint, as with ``get_or_create``."""
        if cls.objects.filter(value=value).exists():
            return False
        cls.objects.bulk_create([cls(value=value)], ignore_conflicts=True)
        return True

    @classmethod
    def lowest_free(cls) -> str | None:
        """The lowest id below the sample range never issued (None: all 899,999 are).

        One query walks the issued ids in order and stops at the first whose successor was never
        issued: ids typed by hand anywhere in the range leave every lower id free. The walk starts
        at the last id issued automatically: it was the lowest free one then, and ids are never
        freed, so none below it is free now (without it, 10,000 issued ids cost 10 ms a walk); and
        usually the id right after it is free, which one primary-key look-up tells.
        """
        start = cls.objects.filter(automatic=True).order_by("-value").values_list("value", flat=True).first()
        if start is None:  # none issued automatically yet (the first one is FIRST_ID if it is free)
            if not cls.objects.filter(value=FIRST_ID).exists():
                return FIRST_ID
            start = FIRST_ID
        following = f"{int(start) + 1:06d}"
        if start < LAST_AUTOMATIC_ID and not cls.objects.filter(value=following).exists():
            return following  # the usual case: the id after the last automatic one is free
        successor = LPad(
            Cast(Cast("value", models.IntegerField()) + 1, models.CharField(max_length=6)), 6, Value("0")
        )
        return (
            cls.objects.filter(value__gte=start, value__lt=LAST_AUTOMATIC_ID)
            .annotate(successor=successor)
            .filter(~models.Exists(cls.objects.filter(value=models.OuterRef("successor"))))
            .order_by("value")
            .values_list("successor", flat=True)
            .first()
        )

    @classmethod
    def issue_next(cls) -> str:
        """Issue the lowest id below the sample range that was never issued."""
        for _ in range(5):
            value = cls.lowest_free()
            if value is None:
                raise ValidationError("Every article id below the sample range has been issued.")
            try:
                with transaction.atomic():
                    cls.objects.create(value=value, automatic=True)
            except IntegrityError:
                continue  # another writer took it first; look again
            return value
        raise RuntimeError("Could not issue a new article id; try again.")


@reversion.register()
class ReviewOrganization(models.Model):
    """The organization that provides the medical review ("Review provided by ...")."""

    name = PlainCharField(max_length=200, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ReviewerQuerySet(models.QuerySet):
    def qualified_for(self, language: str) -> ReviewerQuerySet:
        """Reviewers who may approve an edition in ``language``."""
        codes = Concat(Value(","), "languages", Value(","), output_field=models.CharField())
        return self.alias(language_codes=codes).filter(language_codes__contains=f",{language},")


@reversion.register()
class Reviewer(models.Model):
    """A medical reviewer, with the structured fields that make up their public credit."""

    name = PlainCharField(max_length=200)
    credentials = PlainCharField(max_length=100, blank=True, help_text="Comma-separated, e.g. “MD, PhD”.")
    title = PlainCharField(max_length=200, blank=True, help_text="e.g. Professor of Medicine")
    department = PlainCharField(max_length=200, blank=True)
    institution = PlainCharField(max_length=200, blank=True)
    city = PlainCharField(max_length=100, blank=True)
    state = PlainCharField(max_length=50, blank=True)
    specialty = PlainCharField(max_length=100, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviewer_profile",
        help_text="The login this reviewer uses, if any.",
    )
    languages = models.CharField(
        max_length=20,
        default=Language.ENGLISH,
        validators=[check_language_list],
        help_text="The editions this reviewer may approve, as codes separated by commas: “en”, “es” or “en,es”.",
    )

    objects = ReviewerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.credit()

    def save(self, *args, **kwargs) -> None:
        # Stored as "en,es" exactly, which ReviewerQuerySet.qualified_for matches on.
        self.languages = ",".join(dict.fromkeys(language_codes(self.languages))) or Language.ENGLISH
        super().save(*args, **kwargs)

    def qualified_for(self, language: str) -> bool:
        """Whether this reviewer may approve an edition in ``language``."""
        return language in language_codes(self.languages)

    def credit(self) -> str:
        """The public credit line: name, credentials, title, department, institution, place."""
        return credits.reviewer_credit(
            name=self.name,
            credentials=self.credentials,
            title=self.title,
            department=self.department,
            institution=self.institution,
            city=self.city,
            state=self.state,
        )


@reversion.register()
class EditorialCredit(models.Model):
    """A standing "Also reviewed by" credit: a person with their role, or a team."""

    name = PlainCharField(max_length=200, help_text="A person, or a team such as “the Editorial team”.")
    credentials = PlainCharField(max_length=100, blank=True)
    role = PlainCharField(max_length=200, blank=True, help_text="e.g. Medical Director")
    position = models.PositiveSmallIntegerField(default=0)
    standing = models.BooleanField(
        default=True,
        help_text="Credited on every article that names no credits of its own.",
    )

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.credit()

    def credit(self) -> str:
        return credits.join_parts([self.name, self.credentials, self.role])

    @classmethod
    def standing_credits(cls) -> list[EditorialCredit]:
        return list(cls.objects.filter(standing=True))

    @classmethod
    def shown(
        cls, own: list[EditorialCredit], standing: Callable[[], list[EditorialCredit]] | None = None
    ) -> list[EditorialCredit]:
        """The "Also reviewed by" credits an article shows: its own, or, if it names none, the
        standing ones (``standing`` gives them when the caller has read them already)."""
        if own:
            return own
        return (standing or cls.standing_credits)()


@reversion.register()
class Citation(models.Model):
    """A structured reference, usable by many articles, rendered in NLM/AMA style."""

    class Kind(models.TextChoices):
        BOOK_CHAPTER = "book_chapter", "Book chapter"
        BOOK = "book", "Book"
        JOURNAL_ARTICLE = "journal_article", "Journal article"
        WEBSITE = "website", "Website"
        GUIDELINE = "guideline", "Guideline"
        # A reference an imported page printed in a form the parser cannot read back exactly: kept
        # as printed (its whole text in the title), for an editor to structure.
        UNSTRUCTURED = "unstructured", "As printed: to be structured (needs review)"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    authors = PlainTextField(
        blank=True, one_line=True, help_text="Comma-separated, in NLM form: “Chonchol M, Yu ASL”."
    )
    title = PlainTextField(one_line=True)
    editors = PlainTextField(blank=True, one_line=True, help_text="Comma-separated, in NLM form.")
    container_title = PlainTextField(
        blank=True, one_line=True, help_text="The book (for a chapter), journal or website name."
    )
    edition = PlainCharField(max_length=20, blank=True, help_text="e.g. 11th")
    place = PlainCharField(max_length=100, blank=True, help_text="e.g. Philadelphia, PA")
    publisher = PlainCharField(max_length=200, blank=True)
    year = PlainCharField(max_length=20, blank=True, validators=[references.year_validator])
    volume = PlainCharField(max_length=20, blank=True)
    issue = PlainCharField(max_length=20, blank=True)
    pages = PlainCharField(max_length=40, blank=True)
    chapter = PlainCharField(max_length=20, blank=True)
    doi = PlainCharField(
        "DOI",
        max_length=200,
        blank=True,
        validators=[references.doi_validator],
        help_text="e.g. 10.1000/xyz123",
    )
    pmid = PlainCharField(
        "PMID", max_length=20, blank=True, validators=[references.pmid_validator], help_text="e.g. 31234567"
    )
    url = models.URLField("URL", max_length=500, blank=True)
    updated = PlainCharField(max_length=40, blank=True, help_text="For a website: when it was last updated.")
    accessed = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["authors", "title"]

    def __str__(self) -> str:
        return self.as_text()[:120]

    def clean_fields(self, exclude: Iterable[str] | None = None) -> None:
        """Each field's own checks, then the fields this kind needs. Here, not in ``clean``, so
        that a field already refused (a URL the form refused, say) gets that one message, not
        also "needs this" because its value never reached the instance."""
        errors: dict[str, list[ValidationError]] = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        settled = set(exclude or ()) | set(errors)
        for name in references.missing_fields(self):
            if name not in settled:
                errors[name] = [ValidationError(f"A {self.get_kind_display().lower()} citation needs this.")]
        if errors:
            raise ValidationError(errors)

    def as_text(self) -> str:
        """NLM/AMA text, with the italic part between asterisks."""
        return references.render_text(self)

    def as_html(self) -> str:
        """NLM/AMA HTML, with the italic part in ``<i>``."""
        return references.render_html(self)


@reversion.register()
class PolicyPage(models.Model):
    """A site policy page (editorial policy, editorial process, privacy policy, about)."""

    slug = models.SlugField(unique=True)
    title = PlainCharField(max_length=200)
    body = models.TextField(help_text="Markdown: paragraphs, lists, emphasis and links.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("encyclopedia:policy", args=[self.slug])


class AccreditationNoticeQuerySet(models.QuerySet):
    def valid_on(self, day: datetime.date) -> AccreditationNoticeQuerySet:
        return self.filter(valid_from__lte=day, valid_until__gte=day)


@reversion.register()
class AccreditationNotice(models.Model):
    """An accreditation statement, shown on public pages only while it is valid."""

    body = PlainCharField("accrediting body", max_length=200)
    body_url = models.URLField("accrediting body URL", blank=True)
    program = PlainCharField(max_length=200, help_text="e.g. Health Content Provider")
    program_url = models.URLField("program URL", blank=True)
    valid_from = models.DateField()
    valid_until = models.DateField()
    statement = models.TextField(help_text="Markdown: paragraphs, emphasis and links.")
    badge = models.FileField(
        upload_to="badges/",
        blank=True,
        validators=[images.check_upload],
        help_text=images.BADGE_HELP,
    )
    editorial_policy = models.ForeignKey(
        PolicyPage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    editorial_process = models.ForeignKey(
        PolicyPage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    privacy_policy = models.ForeignKey(
        PolicyPage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AccreditationNoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_until"]

    def __str__(self) -> str:
        return f"{self.body}: {self.program} (until {dates.day(self.valid_until)})"

    def save(self, *args, **kwargs) -> None:
        """A new badge is checked as an article image is, and replaced by a copy encoded afresh
        within ``images.BADGE_BOX``: every page shows it, so no upload reaches a page as sent."""
        if self.badge and not self.badge._committed:
            badge = images.prepare_badge(self.badge)
            # The file and the row, or neither: a full or unwritable disk refuses the upload.
            with media.kept_with_row() as written:
                written.store(
                    self.badge, f"{secrets.token_hex(8)}.{badge.extension}", ContentFile(badge.content)
                )
                super().save(*args, **kwargs)
            return
        super().save(*args, **kwargs)

    @property
    def policy_pages(self) -> list[PolicyPage]:
        pages = [self.editorial_policy, self.editorial_process, self.privacy_policy]
        return [page for page in pages if page is not None]

    def policy_links(self) -> str:
        """ "editorial policy, editorial process, and privacy policy" as links."""
        links = [
            format_html('<a href="{}">{}</a>', page.get_absolute_url(), page.title.lower())
            for page in self.policy_pages
        ]
        # The list's joining words are the active language's ("…, and …"; "… y …").
        if len(links) > 2:
            joined = gettext("%(items)s, and %(last)s") % {"items": ", ".join(links[:-1]), "last": links[-1]}
        elif len(links) == 2:
            joined = gettext("%(first)s and %(last)s") % {"first": links[0], "last": links[1]}
        else:
            joined = "".join(links)
        return mark_safe(joined)  # noqa: S308 - parts escaped above, the joining words are ours

    def clean(self) -> None:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": "The notice must end after it starts."})


DEFAULT_SITE_NAME = "Medical Encyclopedia"


@reversion.register()
class SiteSettings(models.Model):
    """The one row of site data: publisher, copyright and disclaimer."""

    site_name = PlainCharField(max_length=200, default=DEFAULT_SITE_NAME)
    publisher_name = PlainCharField(max_length=200, default="Example Health Publishing")
    publisher_place = PlainCharField(
        max_length=200, default="Springfield (IL)", help_text="Used in page citations."
    )
    copyright_holder = PlainCharField(max_length=200, default="Example Health Publishing")
    copyright_start_year = models.PositiveSmallIntegerField(default=2026)
    disclaimer = PlainTextField(
        default=(
            "This encyclopedia is for general information. It does not replace advice from "
            "a licensed health care professional. In an emergency, call your local emergency number."
        )
    )

    class Meta:
        verbose_name = "site settings"
        verbose_name_plural = "site settings"

    def __str__(self) -> str:
        return self.site_name

    def save(self, *args, **kwargs) -> None:
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> SiteSettings:
        """The site's settings; unsaved defaults if nobody has saved any (a read never writes)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    @property
    def display_name(self) -> str:
        """The site's name as the active language's pages print it. The default name is the
        interface's own, so it is translated ("Enciclopedia médica"); a name the publisher set
        is their data and is printed as set, in every edition."""
        return gettext("Medical Encyclopedia") if self.site_name == DEFAULT_SITE_NAME else self.site_name

    def copyright_years(self, today: datetime.date | None = None) -> str:
        """ "2019-2026": the range always ends in the current year."""
        year = (today or timezone.localdate()).year
        if self.copyright_start_year >= year:
            return str(year)
        return f"{self.copyright_start_year}-{year}"


class ArticleQuerySet(models.QuerySet):
    """Article statuses by name, so callers don't restate the fields that define them."""

    def live(self) -> ArticleQuerySet:
        """Articles the public can see (never withdrawn or merged ones)."""
        return self.filter(LIVE)

    def gone(self) -> ArticleQuerySet:
        """Withdrawn or merged articles."""
        return self.filter(GONE)

    def locked(self) -> ArticleQuerySet:
        """Articles whose draft is in review or approved and waiting: locked against editing."""
        return self.filter(state__in=LOCKED_STATES)

    def english(self) -> ArticleQuerySet:
        """English articles: every English page, list and count reads only these."""
        return self.filter(language=Language.ENGLISH)

    def spanish(self) -> ArticleQuerySet:
        """Spanish editions (each the translation of an English article with the same id)."""
        return self.filter(language=Language.SPANISH)

    def due_within(self, days: int, today: datetime.date | None = None) -> ArticleQuerySet:
        """Live articles due for medical review within ``days`` of today, overdue ones included.

        Only live articles: the review schedule is for the pages the public reads.
        """
        if today is None:
            today = timezone.localdate()
        return self.live().filter(next_review_due__lte=today + datetime.timedelta(days=days))


@reversion.register(follow=versioning.ARTICLE_FOLLOWS, exclude=versioning.ARTICLE_UNVERSIONED)
class Article(models.Model):
    """The working copy of an article, as editors see it in the admin."""

    public_id = models.CharField(
        "article id",
        max_length=6,
        blank=True,
        validators=[public_id_validator],
        help_text="Six digits. Left empty, the next free id is assigned; it never changes.",
    )
    language = models.CharField(
        max_length=5, choices=Language.choices, default=Language.ENGLISH, db_index=True, editable=False
    )
    translation_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="translations",
        editable=False,
        help_text="The English article this Spanish edition translates (same article id).",
    )
    translated_from = models.ForeignKey(
        "Publication",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        help_text="The English publication the current translation was made from.",
    )
    out_of_date_since = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        editable=False,
        help_text="When a newer English publication went live than the one translated.",
    )
    translated_by = PlainCharField(
        max_length=200,
        blank=True,
        help_text="The translator or translation agency credited on the Spanish page.",
    )
    title = PlainCharField(max_length=200)
    slug = models.SlugField(max_length=200, blank=True)
    article_type = models.CharField(max_length=20, choices=ArticleType.choices)
    summary = models.TextField(help_text="The lead paragraph (Markdown).")
    review_date = models.DateField(null=True, blank=True, help_text="The date of the latest medical review.")
    reviewer = models.ForeignKey(
        Reviewer, null=True, blank=True, on_delete=models.PROTECT, related_name="articles"
    )
    review_organization = models.ForeignKey(
        ReviewOrganization, null=True, blank=True, on_delete=models.PROTECT, related_name="articles"
    )
    specialty = PlainCharField(
        max_length=100,
        blank=True,
        db_index=True,
        help_text="The specialty queue that reviews this article when it has no responsible reviewer.",
    )
    review_interval_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Months between medical reviews; empty: the interval for the article type.",
    )
    next_review_due = models.DateField(
        null=True, blank=True, db_index=True, editable=False, help_text="Recomputed on each review."
    )
    citations = models.ManyToManyField(
        Citation, through="ArticleCitation", related_name="articles", blank=True
    )
    editorial_credits = models.ManyToManyField(
        EditorialCredit, through="ArticleCredit", related_name="articles", blank=True
    )
    live_publication = models.OneToOneField(
        "Publication",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    state = models.CharField(
        max_length=20,
        choices=WorkflowState.choices,
        default=WorkflowState.DRAFT,
        db_index=True,
        editable=False,
    )
    assigned_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_articles",
        editable=False,
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    submission_note = models.TextField(blank=True, editable=False)
    review_comment = models.TextField(
        blank=True, editable=False, help_text="The reviewer's comment when changes were requested."
    )
    go_live_at = models.DateTimeField(null=True, blank=True, db_index=True, editable=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    taken_down_publication = models.ForeignKey(
        "Publication",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        help_text="The publication that was live when the article was withdrawn or merged: restore brings it back.",
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        # The title, then the edition: an import finds a page without an id by its English title (on
        # SQLite, without the planner's statistics, the language's own index was chosen over the
        # title's, and every such page read all 10,000 articles).
        indexes = [models.Index(fields=["title", "language"])]
        constraints = [
            models.UniqueConstraint(fields=["public_id", "language"], name="unique_article_id_per_language"),
            models.UniqueConstraint(fields=["translation_of"], name="one_translation_per_article"),
        ]
        permissions = [
            ("submit_article", "Can submit an article for medical review"),
            ("review_article", "Can approve an article or request changes"),
            ("publish_article", "Can publish minor corrections and schedule publication"),
            ("withdraw_article", "Can withdraw, restore and merge articles"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.public_id})" if self.public_id else self.title

    def save(self, *args, **kwargs) -> None:
        written = kwargs.get("update_fields")
        if self.pk and (written is None or "public_id" in written):  # a save of other fields keeps it
            stored = Article.objects.filter(pk=self.pk).values_list("public_id", flat=True).first()
            if stored and stored != self.public_id:
                raise ValidationError(f"Article id {stored} cannot change to {self.public_id}.")
        if self.is_translation:
            if self._state.adding:
                self._check_translation()
        elif not self.public_id:
            self.public_id = IssuedArticleId.issue_next()
        elif self._state.adding:
            check_new_public_id(self.public_id)
            if (
                not IssuedArticleId.claim(self.public_id)
                and not Article.objects.english().filter(public_id=self.public_id).exists()
            ):
                raise ValidationError(deleted_id_message(self.public_id))
        if not self.slug:
            self.slug = slugify(self.title)[:200]
        self.next_review_due = reviews.next_review_due(
            self.review_date, self.article_type, self.review_interval_months
        )
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"review_date", "review_interval_months"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "next_review_due"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        """The article's public address in its own edition (a Spanish edition's is under /spanish/)."""
        return article_path(self.public_id, self.language)

    @property
    def is_translation(self) -> bool:
        """A Spanish edition: it translates an English article and shares its id."""
        return self.language != Language.ENGLISH

    def _check_translation(self) -> None:
        """A Spanish edition translates one English article and takes that article's id (issued
        once, for the English article)."""
        original = self.translation_of
        if original is None or original.language != Language.ENGLISH:
            raise ValidationError("A Spanish edition must translate an English article.")
        if not self.public_id:
            self.public_id = original.public_id
        if self.public_id != original.public_id:
            raise ValidationError(
                f"A Spanish edition takes its English article's id {original.public_id}, not {self.public_id}."
            )

    def clean(self) -> None:
        """The summary within its limit; an id typed for a new article: not 000000, not a sample
        id, not a deleted article's."""
        errors: dict[str, list[str]] = {}
        too_long = limits.summary_error(self.summary)
        if too_long:
            errors["summary"] = [too_long]
        if self._state.adding and self.public_id and not self.is_translation:
            try:
                check_new_public_id(self.public_id)
            except ValidationError as error:
                errors["public_id"] = error.messages
            else:
                if (
                    IssuedArticleId.objects.filter(value=self.public_id).exists()
                    and not Article.objects.english().filter(public_id=self.public_id).exists()
                ):
                    errors["public_id"] = [deleted_id_message(self.public_id)]
        if errors:
            raise ValidationError(errors)

    @property
    def is_live(self) -> bool:
        return self.live_publication_id is not None

    # The submission in progress: who sent the draft for review, when, with what note, and the
    # reviewer's answer. Publishing the draft, or discarding it, ends it.
    SUBMISSION_FIELDS = ("submitted_by", "submitted_at", "submission_note", "review_comment")

    def end_submission(self) -> list[str]:
        """Clear the submission (not saved); returns the fields to save."""
        self.submitted_by = None
        self.submitted_at = None
        self.submission_note = ""
        self.review_comment = ""
        return list(self.SUBMISSION_FIELDS)

    @property
    def is_locked(self) -> bool:
        """The draft is in review or approved and waiting: it may not be edited until sent back."""
        return self.state in LOCKED_STATES

    def conventional_headings(self) -> list[SectionHeading]:
        """The standard headings for this article's type, in their conventional order."""
        return [
            placement.heading
            for placement in HeadingPlacement.objects.filter(article_type=self.article_type)
            .select_related("heading")
            .order_by("position")
        ]


def deleted_id_message(public_id: str) -> str:
    """Why a new article may not have ``public_id``: a deleted article had it (named, when its
    history holds it), and ids are never reused."""
    from reversion.models import Version

    candidates = (
        Version.objects.get_for_model(Article).filter(serialized_data__contains=public_id).order_by("-pk")
    )
    named = next(
        (version.object_repr for version in candidates[:50] if _version_id(version) == public_id), None
    )
    which = f"the deleted article “{named}”" if named else "a deleted article"
    return (
        f"Article id {public_id} belonged to {which} and is never reused. Recover that article from "
        "“Recover deleted articles” on the article list, or leave the id empty for the next free one."
    )


def _version_id(version) -> str | None:
    try:
        return version.field_dict.get("public_id")
    except Exception:  # noqa: BLE001 - a version of an older schema that no longer reads: not this one
        return None


@reversion.register()
class Section(models.Model):
    """One section of an article: a heading (standard or custom) and a Markdown body."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(default=0)
    heading = models.ForeignKey(
        SectionHeading,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="A standard heading. Leave empty to use a custom heading.",
    )
    custom_heading = PlainCharField(max_length=200, blank=True)
    body = models.TextField(help_text="Markdown: paragraphs, lists, emphasis and links.")

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.heading_text

    @property
    def heading_text(self) -> str:
        """The heading as printed: a standard heading in the article's language."""
        if not self.heading_id:
            return self.custom_heading
        language = self.article.language if self.article_id else Language.ENGLISH
        return self.heading.name_in(language)

    def clean_fields(self, exclude: Iterable[str] | None = None) -> None:
        """The fields' own checks, then one heading of the two. Here, not in ``clean``, so that a
        heading the form already refused (a custom one too long, say) gets that one message,
        not also "choose a heading" because its value never reached the instance."""
        super().clean_fields(exclude=exclude)
        excluded = set(exclude or ())
        if "custom_heading" in excluded or ("heading" in excluded and not self.heading_id):
            return
        if bool(self.heading_id) == bool(self.custom_heading.strip()):
            raise ValidationError(
                "Choose a standard heading or type a custom one (one of the two, not both)."
            )

    def clean(self) -> None:
        too_long = limits.section_error(self.body)
        if too_long:
            raise ValidationError({"body": too_long})


@reversion.register()
class AlternativeName(models.Model):
    """Another name readers may know an article by; each is its own searchable row."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="alternative_names")
    name = PlainCharField(max_length=200, db_index=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "name"], name="unique_alternative_name"),
        ]

    def __str__(self) -> str:
        return self.name


@reversion.register()
class CodedConcept(models.Model):
    """A clinical code naming what the article explains (a condition, a test, a procedure), so an
    EHR's Infobutton request for that code finds the article once it is live."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="codes")
    system = models.CharField("code system", max_length=40, choices=coding.CodeSystem.choices)
    code = PlainCharField(
        max_length=coding.CODE_MAX_LENGTH, help_text="As the system writes it: E11.9, 4548-4, 44054006."
    )
    display_name = PlainCharField(
        max_length=coding.DISPLAY_NAME_MAX_LENGTH, blank=True, help_text="The system's name for the code."
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "coded concept"
        constraints = [
            models.UniqueConstraint(fields=["article", "system", "code"], name="unique_article_code"),
        ]

    def __str__(self) -> str:
        return self.frozen().line()

    def clean(self) -> None:
        self.code = coding.normalize(self.system, self.code or "")
        if self.system:
            coding.check(self.system, self.code)

    def frozen(self) -> coding.Code:
        """What a publication keeps of this code."""
        return coding.Code(self.system, self.code, self.display_name)


@reversion.register()
class ArticleCitation(models.Model):
    """A citation in an article's reference list, in that article's own order."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="citation_links")
    citation = models.ForeignKey(Citation, on_delete=models.PROTECT, related_name="article_links")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "citation"], name="unique_article_citation"),
        ]

    def __str__(self) -> str:
        return str(self.citation)


@reversion.register()
class RelatedArticle(models.Model):
    """A managed "related articles" entry, in the article's own order."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="related_links")
    related = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "related"], name="unique_related_article"),
        ]

    def __str__(self) -> str:
        return str(self.related)

    def clean(self) -> None:
        if self.article_id and self.article_id == self.related_id:
            raise ValidationError("An article is not related to itself.")


@reversion.register()
class ArticleCredit(models.Model):
    """An "Also reviewed by" credit on one article, in order."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="credit_links")
    credit = models.ForeignKey(EditorialCredit, on_delete=models.PROTECT, related_name="article_links")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "credit"], name="unique_article_credit"),
        ]

    def __str__(self) -> str:
        return str(self.credit)


def _image_path(instance: ArticleImage, filename: str) -> str:
    return f"images/{instance.article.public_id}/{filename}"


@reversion.register()
class ArticleImage(models.Model):
    """An image in an article, in the article's own order, with its alt text and caption.

    What is stored is not the upload: ``encyclopedia.images`` checks it and makes a display
    version and a thumbnail, both free of metadata, under new random names. Files are never
    overwritten, and stay when the row goes, because a live publication may still show them.
    The id, six digits zero-padded, names the public image page.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="images")
    image = models.FileField(
        upload_to=_image_path, max_length=200, validators=[images.check_upload], help_text=images.UPLOAD_HELP
    )
    thumbnail = models.FileField(upload_to=_image_path, max_length=200, blank=True, editable=False)
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    thumb_width = models.PositiveIntegerField(default=0, editable=False)
    thumb_height = models.PositiveIntegerField(default=0, editable=False)
    alt_text = PlainCharField("alt text", max_length=250, help_text=images.ALT_TEXT_HELP)
    caption = PlainCharField(max_length=500, blank=True, help_text="Shown under the image (plain text).")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.caption or self.alt_text

    def save(self, *args, **kwargs) -> None:
        """A new upload is checked and replaced by its display version and thumbnail."""
        if self.image and not self.image._committed:
            if not self.alt_text.strip():
                raise ValidationError({"alt_text": images.ALT_TEXT_REQUIRED})
            prepared = images.prepare(self.image)
            token = secrets.token_hex(8)
            display, thumbnail = prepared.display, prepared.thumbnail
            # Both files and the row, or none of them: a full or unwritable disk refuses the upload.
            with media.kept_with_row() as written:
                written.store(self.image, f"{token}.{display.extension}", ContentFile(display.content))
                written.store(
                    self.thumbnail, f"{token}-thumb.{thumbnail.extension}", ContentFile(thumbnail.content)
                )
                self.width, self.height = display.width, display.height
                self.thumb_width, self.thumb_height = thumbnail.width, thumbnail.height
                super().save(*args, **kwargs)
            return
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if not self.alt_text.strip():
            raise ValidationError({"alt_text": images.ALT_TEXT_REQUIRED})

    def frozen(self) -> dict:
        """What a publication keeps of this image."""
        return {
            "id": self.pk,
            "url": self.image.url,
            "thumb_url": self.thumbnail.url,
            "width": self.width,
            "height": self.height,
            "thumb_width": self.thumb_width,
            "thumb_height": self.thumb_height,
            "alt": self.alt_text,
            "caption": self.caption,
        }


class ImageAwaitingUpload(models.Model):
    """An image an imported HTML page showed, recorded with its alt text, caption and source
    address for an editor to upload. It has no file: nothing reads it for a public page (the
    site never hot-links another site's image), and the admin lists it until it is uploaded
    through the article's images and deleted here. A re-import of the page replaces them."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="images_awaiting_upload")
    alt_text = PlainCharField("alt text", max_length=250, blank=True)
    caption = PlainCharField(max_length=500, blank=True)
    source_url = models.URLField(
        "source address",
        max_length=2000,
        blank=True,
        help_text="Where the saved page showed it (not fetched).",
    )
    position = models.PositiveSmallIntegerField(default=0)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article", "position", "id"]
        verbose_name = "image awaiting upload"
        verbose_name_plural = "images awaiting upload"

    def __str__(self) -> str:
        return self.caption or self.alt_text or self.source_url


class CrossReference(models.Model):
    """A link from a publication to another article, by id: "articles that link here"."""

    publication = models.ForeignKey("Publication", on_delete=models.CASCADE, related_name="cross_references")
    target_public_id = models.CharField(max_length=6, db_index=True, validators=[public_id_validator])

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "target_public_id"], name="unique_cross_reference"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.publication_id} → {self.target_public_id}"


class Publication(models.Model):
    """The frozen, self-contained content of a live page.

    Everything the public page shows is stored here as rendered, sanitized HTML or
    plain text, so the page needs no join to the working copy and never shows a draft.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="publications")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200)
    article_type = models.CharField(max_length=20, choices=ArticleType.choices)
    summary_html = models.TextField()
    sections = models.JSONField(default=list, help_text="[{heading, html}] in order.")
    alternative_names = models.JSONField(default=list)
    references = models.JSONField(default=list, help_text="Rendered NLM/AMA HTML, in order.")
    linked_article_ids = models.JSONField(default=list, help_text="Ids of the articles this page links to.")
    related_article_ids = models.JSONField(default=list, help_text="The managed related articles, in order.")
    images = models.JSONField(
        default=list,
        blank=True,
        help_text="[{id, url, thumb_url, width, height, thumb_width, thumb_height, alt, caption}] in order.",
    )
    codes = models.JSONField(default=list, blank=True, help_text="[{system, code, display}] in order.")
    cite_templates = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="“Cite this page” in APA and MLA, rendered when frozen, with marks for the URL and "
        "access date (page_citation.templates); used only while its key matches the page.",
    )
    review_date = models.DateField(null=True, blank=True)
    updated_by = models.TextField(blank=True, help_text="The reviewer credit as it stood at review time.")
    review_organization = models.CharField(max_length=200, blank=True)
    also_reviewed_by = models.TextField(blank=True)
    translated_by = models.CharField(
        max_length=200, blank=True, help_text="A Spanish edition's translator credit, as approved."
    )
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revision = models.ForeignKey(
        "reversion.Revision",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The version of the working copy this publication was frozen from.",
    )

    class Meta:
        ordering = ["-published_at"]
        get_latest_by = "published_at"

    def __str__(self) -> str:
        return f"{self.title}, published {self.published_at:%Y-%m-%d %H:%M}"


class RenderedPage(models.Model):
    """An edition's public page as a reader last got it, so the next first view is a lookup.

    Kept in the database rather than a cache: it survives a cache flush and serves every
    process and server alike. ``encyclopedia.caching.rendered_pages`` owns it: a change that
    makes the page stale gives it a new ``version`` in the same transaction, and a page is
    stored only over the version it was rendered from, so a render racing a publish is dropped.
    """

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="rendered_page"
    )
    version = models.BigIntegerField(default=0)
    stamp = models.CharField(max_length=64, blank=True, help_text="What else the page was rendered for.")
    html = models.TextField(blank=True)
    last_modified = models.FloatField(
        null=True, blank=True, help_text="When the newest publication it shows went live (Unix time)."
    )

    def __str__(self) -> str:
        return f"page of article {self.article_id} (version {self.version})"


class SearchEntry(models.Model):
    """The searchable text of one live article, kept by ``encyclopedia.search``.

    PostgreSQL searches ``vector`` (weighted: title, names, summary, body) through a GIN
    index, and picks the matches to rank by ``head`` (the same without the body: small enough
    to read for every match); SQLite searches an FTS5 table holding the same columns.
    """

    article = models.OneToOneField(Article, on_delete=models.CASCADE, primary_key=True, related_name="+")
    public_id = models.CharField(max_length=6)
    # The article's edition: each is searched alone (PostgreSQL's ``english`` or ``spanish``
    # configuration; SQLite's FTS5 table of each edition).
    language = models.CharField(max_length=5, choices=Language.choices, default=Language.ENGLISH)
    title = models.CharField(max_length=200)
    names = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    vector = SearchVectorField(null=True, editable=False)
    head = SearchVectorField(null=True, editable=False)  # title, names and summary (PostgreSQL)

    def __str__(self) -> str:
        return self.title


class CodeEntry(models.Model):
    """One code of a live (or merged) article's publication, kept by ``encyclopedia.search``:
    what an Infobutton request looks up. A merged article's codes stay, so they answer with the
    article it was merged into."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    system = models.CharField(max_length=40)
    code = models.CharField(max_length=coding.CODE_MAX_LENGTH)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["system", "code"], name="code_entry_lookup")]

    def __str__(self) -> str:
        return f"{coding.label(self.system)} {self.code}"


class IndexEntry(models.Model):
    """One line of the A–Z index: a title, or an alternative name that says "see" its article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    public_id = models.CharField(max_length=6)
    language = models.CharField(
        max_length=5, choices=Language.choices, default=Language.ENGLISH
    )  # the edition's index
    label = models.CharField(max_length=200)
    see = models.CharField(max_length=200, blank=True, help_text="The article's title, for a “see” entry.")
    letter = models.CharField(max_length=3, db_index=True)  # "A"…"Z", "Ñ" (Spanish) or "0-9"
    sort_key = models.CharField(max_length=200)

    class Meta:
        ordering = ["letter", "sort_key", "label"]
        indexes = [models.Index(fields=["language", "letter", "sort_key"], name="index_entry_lookup")]

    def __str__(self) -> str:
        return f"{self.label}, see {self.see}" if self.see else self.label


class SharedCacheEpoch(models.Model):
    """The one row that says a change could not reach the shared cache (Redis was down).

    Every generation a page's key holds is combined with ``value`` (``caching/epoch.py``), so
    when Redis returns with the counters it had before the change, no page from before it is
    served again.
    """

    value = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"shared cache epoch {self.value}"


class PendingPurge(models.Model):
    """Pages the CDN has not confirmed dropping yet: sent again, with back-off, by
    ``manage.py retry_cdn_purges`` (``caching/cdn.py``); deleted once the CDN accepted them all."""

    paths = models.JSONField(help_text="The paths still to purge.")
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["next_attempt_at", "pk"]

    def __str__(self) -> str:
        return f"{len(self.paths)} paths to purge, attempt {self.attempts + 1}"
