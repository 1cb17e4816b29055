"""python manage.py load_demo : fill the database with sample content and demo roles.

``make run`` calls this on every start, so it is idempotent: rows are found by their
natural keys, written only when they differ from the demo data, and an article is
published only when it is not live or its working copy no longer matches what is live.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass
from typing import Any

import reversion
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.utils import timezone

from editorial import demo_content as demo
from editorial import demo_library as library
from editorial import demo_spanish as spanish
from editorial import roles, sample_image
from editorial.actions.approve import approve
from editorial.actions.edit import record_edit
from editorial.actions.publish import publish
from editorial.actions.publish_correction import publish_correction
from editorial.actions.request_changes import request_changes
from editorial.actions.submit import submit
from encyclopedia import reviews
from encyclopedia.models import (
    AccreditationNotice,
    AlternativeName,
    Article,
    ArticleCitation,
    ArticleImage,
    Citation,
    CodedConcept,
    EditorialCredit,
    Language,
    PolicyPage,
    RelatedArticle,
    Reviewer,
    ReviewOrganization,
    Section,
    SectionHeading,
    SiteSettings,
    WorkflowState,
    language_codes,
    sample_ids_allowed,
)

SCHEDULED_IN = datetime.timedelta(days=3)

GROUP_EDITORS = roles.EDITORS
GROUP_REVIEWERS = roles.MEDICAL_REVIEWERS
GROUP_DIRECTORS = roles.EDITORIAL_DIRECTORS


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    group: str | None  # None: a superuser, who needs no group
    first_name: str = ""  # shown wherever the admin names a person ("Assigned to", the audit log)
    last_name: str = ""
    reviewer: str = ""  # the name of the reviewer profile the login is linked to, if any


# Fixed, publicly known passwords: these logins exist only when DEBUG is on.
DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("editor", "editor-demo-2026", GROUP_EDITORS, "Noor", "Haddad"),
    DemoLogin(
        "reviewer", "reviewer-demo-2026", GROUP_REVIEWERS, "Dana", "Whitfield", demo.REVIEWER_LOGIN_NAME
    ),
    # Reviews English only: a Spanish edition is refused to this login, and its email skips it.
    DemoLogin(
        "reviewer_en",
        "reviewer-en-demo-2026",
        GROUP_REVIEWERS,
        "Marcus",
        "Ellery",
        demo.ENGLISH_REVIEWER_LOGIN_NAME,
    ),
    DemoLogin("director", "director-demo-2026", GROUP_DIRECTORS, "Jonah", "Brennan"),
    DemoLogin("admin", "admin-demo-2026", None),
)


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    published: int = 0

    def line(self) -> str:
        return (
            f"Demo content: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged; {self.published} "
            f"{'article' if self.published == 1 else 'articles'} published."
        )


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day ``years`` later (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class Command(BaseCommand):
    help = "Load sample articles, credits, policy pages and roles (and demo logins when DEBUG is on)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.tally = Tally()
        with transaction.atomic():
            SiteSettings.load()
            citations = {c.title: self._citation(c) for c in (*demo.CITATIONS, *library.CITATIONS)}
            reviewers = {r.name: self._reviewer(r) for r in (*demo.REVIEWERS, *library.REVIEWERS)}
            organization = self._upsert(ReviewOrganization, {"name": demo.REVIEW_ORGANIZATION}, {})
            for position, credit in enumerate(demo.EDITORIAL_CREDITS, start=1):
                self._upsert(
                    EditorialCredit,
                    {"name": credit.name},
                    {
                        "credentials": credit.credentials,
                        "role": credit.role,
                        "position": position,
                        "standing": True,
                    },
                )
            policies = {
                p.slug: self._upsert(PolicyPage, {"slug": p.slug}, {"title": p.title, "body": p.body})
                for p in demo.POLICIES
            }
            self._accreditation(policies)
            logins = self._logins(reviewers) if settings.DEBUG else []
            with sample_ids_allowed():  # the sample articles are the ones that take sample ids
                created = [
                    (data, article)
                    for data in (*demo.ARTICLES, *library.ARTICLES)
                    if (article := self._article(data, citations, reviewers, organization)) is not None
                ]
            # Published once all exist, so that related articles and links find their targets.
            for data, article in created:
                self._related(article, data.related)
                if data.image is not None:
                    self._image(article, data.image)
                if data.live:
                    article.refresh_from_db()
                    publish(article, None, comment="Demo content")
                    self.tally.published += 1
            self._spanish_editions()
            team = self._team() if settings.DEBUG else None
            if team is not None:
                for data, article in created:
                    if data.step:
                        self._step(Article.objects.get(pk=article.pk), data, *team)
        self.stdout.write(self.tally.line())
        self._print_logins(logins)

    def _upsert(self, model: type[models.Model], lookup: dict[str, Any], values: dict[str, Any]) -> Any:
        """Create the row, or bring it in line with ``values``; save only what differs."""
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **values)
            obj.full_clean()
            obj.save()
            self.tally.created += 1
            return obj
        changed = {name: value for name, value in values.items() if getattr(obj, name) != value}
        if not changed:
            self.tally.unchanged += 1
            return obj
        for name, value in changed.items():
            setattr(obj, name, value)
        obj.full_clean()
        obj.save()
        self.tally.updated += 1
        return obj

    def _citation(self, data: demo.CitationData) -> Citation:
        values = asdict(data)
        title = values.pop("title")
        return self._upsert(Citation, {"title": title}, values)

    def _reviewer(self, data: demo.ReviewerData) -> Reviewer:
        values = asdict(data)
        name = values.pop("name")
        return self._upsert(Reviewer, {"name": name}, values)

    def _accreditation(self, policies: dict[str, PolicyPage]) -> None:
        """Create the notice, valid for about two years from the first load; then leave it to the directors."""
        today = timezone.localdate()
        lookup = {"body": demo.ACCREDITATION_BODY, "program": demo.ACCREDITATION_PROGRAM}
        values: dict[str, Any] = {
            "body_url": demo.ACCREDITATION_BODY_URL,
            "program_url": demo.ACCREDITATION_PROGRAM_URL,
            "statement": demo.ACCREDITATION_STATEMENT,
            "editorial_policy": policies["editorial-policy"],
            "editorial_process": policies["editorial-process"],
            "privacy_policy": policies["privacy-policy"],
        }
        if AccreditationNotice.objects.filter(**lookup).exists():
            self.tally.unchanged += 1
            return
        values["valid_from"] = min(demo.ACCREDITATION_VALID_FROM, today)
        values["valid_until"] = add_years(today, 2)
        self._upsert(AccreditationNotice, lookup, values)

    def _article(
        self,
        data: demo.ArticleData,
        citations: dict[str, Citation],
        reviewers: dict[str, Reviewer],
        organization: ReviewOrganization,
    ) -> Article | None:
        """Create a sample article once; after that it belongs to the editors, and is left alone.

        Its review date is set on creation so that the dashboard has overdue, due-soon and
        current articles to show. Returns the new article, or None when it was there already.
        """
        if Article.objects.english().filter(public_id=data.public_id).exists():
            self.tally.unchanged += 1
            return None
        interval = reviews.interval_months(data.article_type)
        due = timezone.localdate() + datetime.timedelta(days=data.due_in_days)
        reviewer = reviewers[data.reviewer] if data.reviewer else None
        article = self._upsert(
            Article,
            {"public_id": data.public_id},
            {
                "title": data.title,
                "article_type": data.article_type,
                "summary": data.summary,
                "review_date": (due - relativedelta(months=interval)) if data.live else None,
                "reviewer": reviewer,
                "specialty": reviewer.specialty if reviewer else data.queue,
                "review_organization": organization,
            },
        )
        self._sections(article, data.sections)
        self._names(article, data.alternative_names)
        self._citation_links(article, [citations[title] for title in data.citations])
        for position, (system, code, display_name) in enumerate(data.codes, start=1):
            concept = CodedConcept(
                article=article, system=system, code=code, display_name=display_name, position=position
            )
            concept.full_clean()
            concept.save()
        return article

    def _related(self, article: Article, public_ids: tuple[str, ...]) -> None:
        targets = {a.public_id: a for a in Article.objects.english().filter(public_id__in=public_ids)}
        RelatedArticle.objects.bulk_create(
            RelatedArticle(article=article, related=targets[public_id], position=position)
            for position, public_id in enumerate(public_ids, start=1)
        )

    def _image(self, article: Article, data: demo.SampleImage) -> None:
        """An illustration drawn now (nothing is downloaded), through the admin's own checks."""
        image = ArticleImage(
            article=article,
            image=SimpleUploadedFile(f"sample-{article.public_id}.png", sample_image.draw(data), "image/png"),
            alt_text=data.alt,
            caption=data.caption,
            position=1,
        )
        image.full_clean()
        image.save()

    def _spanish_editions(self) -> None:
        """The Spanish editions of some live sample articles, created once (then the editors'),
        reviewed by a Spanish-qualified sample reviewer; then one English article gets a minor
        correction, so that its translation is out of date."""
        reviewer = self._upsert(Reviewer, {"name": spanish.SPANISH_REVIEWER}, spanish.SPANISH_REVIEWER_FIELDS)
        for data in spanish.EDITIONS:
            english = Article.objects.english().filter(public_id=data.public_id).first()
            if english is None or not english.is_live:
                continue
            if english.translations.exists():
                self.tally.unchanged += 1
                continue
            edition = Article(
                language=Language.SPANISH,
                translation_of=english,
                public_id=english.public_id,
                title=data.title,
                summary=data.summary,
                article_type=english.article_type,
                specialty=english.specialty,
                reviewer=reviewer,
                review_organization=english.review_organization,
                review_date=english.review_date,
                translated_by=spanish.TRANSLATOR,
                translated_from=english.live_publication,
            )
            edition.full_clean()
            edition.save()
            self._sections(edition, data.sections)
            self._names(edition, data.alternative_names)
            publish(edition, None, comment="Demo content (Spanish edition)")
            self.tally.created += 1
            self.tally.published += 1
            if data.public_id == spanish.OUT_OF_DATE:
                self._correct(english)
                # The demo reviewer login reviews both editions, so it can confirm or approve.
                Reviewer.objects.filter(name=demo.REVIEWER_LOGIN_NAME).update(languages="en,es")

    def _correct(self, article: Article) -> None:
        """A minor correction of the live English ``article`` (left alone if someone has a draft)."""
        article.refresh_from_db()
        if article.state != WorkflowState.PUBLISHED:
            return
        with reversion.create_revision():
            section = article.sections.order_by("position", "id").first()
            section.body = f"{section.body}\n\n{spanish.CORRECTION_SENTENCE}"
            section.save()
            article.save()
            reversion.set_comment("Edited: body (demo correction)")
        record_edit(
            article, None, WorkflowState.PUBLISHED, f"Edited: Body of section “{section.heading_text}”"
        )
        publish_correction(article, None, reason=spanish.CORRECTION_REASON)

    def _team(self) -> tuple[Any, Any] | None:
        """The demo editor and reviewer logins, if they can act: the reviewer needs a profile to approve."""
        User = get_user_model()
        editor = User.objects.filter(username="editor").first()
        reviewer = User.objects.filter(username="reviewer", reviewer_profile__isnull=False).first()
        if editor is None or reviewer is None:
            return None
        return editor, reviewer

    def _step(self, article: Article, data: demo.ArticleData, editor: Any, reviewer: Any) -> None:
        """Take the article where ``data.step`` says (``demo_content.STEPS``), as the demo team would."""
        previous = article.state
        with reversion.create_revision():
            section = article.sections.order_by("position", "id").first()
            section.body = f"{section.body}\n\n{demo.DRAFT_SENTENCE}"
            section.save()
            article.save()
            reversion.set_user(editor)
            reversion.set_comment("Edited: body (demo)")
        record_edit(article, editor, previous, f"Edited: Body of section “{section.heading_text}”")
        if data.step == "draft":
            return
        assigned = None if data.step == "in_review_any" else reviewer
        submit(article, editor, note=demo.SUBMISSION_NOTE, reviewer=assigned)
        if data.step == "changes_requested":
            request_changes(article, reviewer, comment=demo.CHANGES_COMMENT)
        elif data.step == "scheduled":
            approve(article, reviewer, notes=demo.REVIEW_NOTES, go_live_at=timezone.now() + SCHEDULED_IN)
        elif data.step == "published_update":
            approve(article, reviewer, notes=demo.REVIEW_NOTES)

    def _sections(self, article: Article, sections: tuple[demo.SectionData, ...]) -> bool:
        """Replace the sections only when they differ, so a reload writes nothing."""
        headings = {h.name: h for h in SectionHeading.objects.filter(name__in=[s.heading for s in sections])}
        missing = sorted({s.heading for s in sections} - headings.keys())
        if missing:
            raise CommandError(f"Standard headings missing (run migrate first): {', '.join(missing)}.")
        wanted = [(headings[s.heading].pk, s.body) for s in sections]
        current = list(article.sections.order_by("position", "id").values_list("heading_id", "body"))
        if current == wanted:
            return False
        article.sections.all().delete()
        for position, (heading_id, body) in enumerate(wanted, start=1):
            section = Section(article=article, position=position, heading_id=heading_id, body=body)
            section.full_clean()
            section.save()
        return True

    def _names(self, article: Article, names: tuple[str, ...]) -> bool:
        current = list(article.alternative_names.order_by("position", "id").values_list("name", flat=True))
        if current == list(names):
            return False
        article.alternative_names.all().delete()
        AlternativeName.objects.bulk_create(
            AlternativeName(article=article, name=name, position=position)
            for position, name in enumerate(names, start=1)
        )
        return True

    def _citation_links(self, article: Article, citations: list[Citation]) -> bool:
        wanted = [c.pk for c in citations]
        current = list(
            article.citation_links.order_by("position", "id").values_list("citation_id", flat=True)
        )
        if current == wanted:
            return False
        article.citation_links.all().delete()
        ArticleCitation.objects.bulk_create(
            ArticleCitation(article=article, citation_id=pk, position=position)
            for position, pk in enumerate(wanted, start=1)
        )
        return True

    def _logins(self, reviewers: dict[str, Reviewer]) -> list[tuple[DemoLogin, bool]]:
        """One login per role; an existing login keeps whatever password it has now.

        Returns each login with whether it still has its demo password, so the
        printout never shows a password that no longer works.
        """
        User = get_user_model()
        result = []
        for login in DEMO_LOGINS:
            user = User.objects.filter(username=login.username).first()
            created = user is None
            if created:
                user = User(username=login.username)
                user.set_password(login.password)
            wanted = {
                "is_staff": True,
                "is_active": True,
                "is_superuser": login.group is None,
                "email": f"{login.username}@example.org",
                "first_name": login.first_name,
                "last_name": login.last_name,
            }
            changed = created or any(getattr(user, k) != v for k, v in wanted.items())
            if changed:
                for name, value in wanted.items():
                    setattr(user, name, value)
                user.save()
            if login.group and not user.groups.filter(name=login.group).exists():
                user.groups.add(Group.objects.get(name=login.group))
                changed = True
            if login.reviewer and self._link_reviewer(reviewers[login.reviewer], user):
                changed = True
            if created:
                self.tally.created += 1
            elif changed:
                self.tally.updated += 1
            else:
                self.tally.unchanged += 1
            result.append((login, user.check_password(login.password)))
        return result

    def _link_reviewer(self, reviewer: Reviewer, user: Any) -> bool:
        """Link the reviewer login to its Reviewer unless either is already linked."""
        if reviewer.user_id == user.pk:
            return False
        if reviewer.user_id is not None or Reviewer.objects.filter(user=user).exists():
            return False
        reviewer.user = user
        reviewer.save(update_fields=["user"])
        return True

    def _print_logins(self, logins: list[tuple[DemoLogin, bool]]) -> None:
        if not settings.DEBUG:
            self.stdout.write("Demo logins are created only when DEBUG is on.")
            return
        self.stdout.write("")
        self.stdout.write("  Demo logins (DEBUG only):")
        reviewer_languages = {
            name: f" (reviews {' and '.join(Language(code).label for code in language_codes(languages))})"
            for name, languages in Reviewer.objects.values_list("name", "languages")
        }
        for login, usable in logins:
            role = login.group or "superuser"
            password = login.password if usable else "(changed since it was created; not shown)"
            languages = reviewer_languages.get(login.reviewer, "")
            self.stdout.write(f"    {login.username:<12} {password:<22} {role}{languages}")
