"""The leak matrix: a word of a draft is public nowhere until that draft itself is approved.

For each action that writes what the public sees (import, re-import, confirm, restore after a
cancelled schedule, merge, scheduled publish, correction, revert, recover) and each kind of draft
change (title, summary, section text, alternative names, citations, images with their alt text and
captions, related articles, credits, review organization, reviewer, coded concepts), article A is
live, gets a draft holding a marker word, and the action runs. Every public surface is then
fetched: A's page and search with and without a session cookie, A–Z, suggest, the feed, the
sitemap and the index's recent updates, the API list and detail, RIS and BibTeX, A's image pages,
the Infobutton service and page (for A's live code and for the code only the draft gives A), and
the pages of the articles that list or link to A. The marker must be on none of them, before the
action (with the pages then cached, so a stale cache shows too) and after it.

A positive control per kind proves the marker is found once the draft is approved, and every cell
checks first that the draft really holds the marker (the editor's preview shows it) and afterwards
that the surfaces still show A's live content, so no cell can pass by looking at nothing.
"""

from __future__ import annotations

import contextlib
import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

import pytest
import reversion
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client
from django.utils import timezone
from PIL import Image
from reversion.models import Version

from editorial import roles
from editorial.actions.add_translation import add_spanish_edition
from editorial.actions.approve import approve
from editorial.actions.confirm import confirm_still_accurate
from editorial.actions.confirm_translation import confirm_translation
from editorial.actions.edit import record_edit
from editorial.actions.merge import merge
from editorial.actions.publish import publish
from editorial.actions.publish_correction import publish_correction
from editorial.actions.publish_scheduled import publish_due
from editorial.actions.recover import recover
from editorial.actions.restore import restore
from editorial.actions.revert import revert
from editorial.actions.submit import submit
from editorial.actions.withdraw import withdraw
from encyclopedia.models import (
    Article,
    ArticleImage,
    Citation,
    EditorialCredit,
    Publication,
    RelatedArticle,
    Reviewer,
    ReviewOrganization,
    WorkflowState,
)

pytestmark = pytest.mark.django_db

MARKER = "Zqxmarker"  # in no page, name or reference except the drafts below
A_ID, B_ID, C_ID, D_ID, E_ID = "004100", "004200", "004300", "004400", "004500"
A_TITLE = "Calf cramps"  # A, imported from a page file
B_TITLE = "Muscle twitching"  # B lists A as related and links to it; A links to B
C_TITLE = "Ankle swelling"  # C is live; only a draft of A lists it as related
D_TITLE = "Night leg pain"  # D, imported by the "import" action, links to A
E_TITLE = "Night cramps"  # E is merged into A by the "merge" action
LETTERS = ("C", "L", "M", "Z")  # A's title and names, B's title, the marker's
ONE_HOUR = datetime.timedelta(hours=1)
# The Infobutton requests of A's live code and of the code only the "codes" draft gives A.
INFOBUTTON = "/infobutton/service?mainSearchCriteria.v.cs=2.16.840.1.113883.6.90&knowledgeResponseType=application/json"
LIVE_CODE_REQUEST = f"{INFOBUTTON}&mainSearchCriteria.v.c=R25.2"
DRAFT_CODE_REQUEST = f"{INFOBUTTON}&mainSearchCriteria.v.c=M62.831"
DRAFT_CODE_PAGE = (
    "/infobutton/application?mainSearchCriteria.v.cs=2.16.840.1.113883.6.90&mainSearchCriteria.v.c=M62.831"
)

CREDIT = (
    "Updated by: Joan Example, MD, Example University Hospital, Springfield, IL. "
    "Review provided by Example Review Board."
)
A_PAGE = f"""[Home](#) → [Medical Encyclopedia](#) → {A_TITLE}

URL of this page: [//example.org/ency/article/{A_ID}.htm](https://example.org/ency/article/{A_ID}.htm)

{A_TITLE}

Calf cramps are a sudden, painful tightening of the muscles at the back of the leg.

Causes

Cramps often follow hard exercise. They can feel like [muscle twitching](https://example.org/ency/article/{B_ID}.htm).

Home Care

Stretch the muscle gently and drink fluids.

Alternative Names

Leg cramps; Charley horse

Codes: ICD-10-CM R25.2 Cramp and spasm

References

Example A, Sample B. *Handbook of Muscle Care*. 2nd ed. Springfield, IL: Example Press; 2023.

Review Date 3/31/2025

{CREDIT[:-1]} Also reviewed by Pat Director, Editorial Director.
"""
D_PAGE = f"""URL of this page: [//example.org/ency/article/{D_ID}.htm](https://example.org/ency/article/{D_ID}.htm)

{D_TITLE}

Night leg pain wakes people from their sleep.

Causes

It is often [calf cramps](https://example.org/ency/article/{A_ID}.htm).

Review Date 4/30/2025

{CREDIT}
"""


# ---------------------------------------------------------------- helpers


def make_user(username: str, *groups: str) -> User:
    user = User.objects.create_user(username, f"{username}@example.org", "pw", is_staff=bool(groups))
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return User.objects.get(pk=user.pk)  # a fresh object: no cached permissions


def reviewer_user(username: str, name: str) -> User:
    """A medical reviewer whose login is linked to a reviewer profile (so approvals credit them)."""
    user = make_user(username, roles.MEDICAL_REVIEWERS)
    Reviewer.objects.create(name=name, credentials="MD", institution="Example University", user=user)
    return User.objects.get(pk=user.pk)


def fresh(article: Article) -> Article:
    return Article.objects.get(pk=article.pk)


def edit(article: Article, user: User, change: Callable[[Article], None], summary: str) -> Article:
    """What an admin save does: the working copy's rows changed in one revision by ``user``, and
    ``record_edit`` (an edit of a live article starts a draft), all in one transaction."""
    article = fresh(article)
    previous = article.state
    with transaction.atomic(), reversion.create_revision():
        change(article)
        article.save()
        reversion.set_user(user)
        reversion.set_comment(summary)
        record_edit(article, user, previous, summary)
    return fresh(article)


def png() -> bytes:
    out = io.BytesIO()
    Image.linear_gradient("L").resize((320, 240)).convert("RGB").save(out, "PNG")
    return out.getvalue()


def add_image(article: Article, *, alt: str, caption: str, position: int) -> ArticleImage:
    image = ArticleImage(
        article=article,
        image=SimpleUploadedFile("picture.png", png(), content_type="image/png"),
        alt_text=alt,
        caption=caption,
        position=position,
    )
    image.full_clean()
    image.save()
    return image


def run_import(*args: str) -> str:
    """``manage.py import_articles``; a refusal (an error naming the file, exit status 1) is an
    answer like any other here: what the public sees afterwards is what these tests check."""
    out, err = StringIO(), StringIO()
    with contextlib.suppress(CommandError, SystemExit):
        call_command("import_articles", *args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def import_supports(option: str) -> bool:
    from editorial.management.commands.import_articles import Command

    return option in Command().create_parser("manage.py", "import_articles")._option_string_actions


# ---------------------------------------------------------------- the world


@dataclass(frozen=True)
class Surface:
    """A public URL, and whose it is: "A" for A's own pages, "C" for C's, "" for the others."""

    name: str
    url: str
    whose: str = ""
    signed_in: bool = False
    follow: bool = False


@dataclass
class World:
    kind: str
    tmp: Path
    editor: User
    reviewer: User
    director: User
    approver: User  # who approves the marker draft when a cell needs it approved
    anonymous: Client
    signed_in: Client  # a reader with a session cookie and no permissions
    a: Article
    a_file: Path
    b: Article
    c: Article
    clean_version: int = 0  # A's latest version before the draft
    marker_version: int = 0  # A's version holding the draft
    clock: object = None  # the time_machine fixture, for the actions that wait for a go-live time
    extra: list[Surface] = field(default_factory=list)
    image_ids: set[int] = field(default_factory=set)
    notes: dict[str, str] = field(default_factory=dict)
    spanish_approver: User | None = None  # the Spanish-qualified reviewer of the Spanish rows


def make_world(kind: str, tmp: Path, make_article: Callable[..., Article]) -> World:
    """A imported from a page file and live with an image, B live listing and linking to A, C live."""
    editor = make_user("editor", roles.EDITORS)
    reviewer = reviewer_user("reviewer", "Rae Viewer")
    director = make_user("director", roles.EDITORIAL_DIRECTORS)
    # The "reviewer" kind names a new responsible reviewer; approval credits whoever approves,
    # so the draft's reviewer reaches a page only through their own approval.
    approver = reviewer_user("zqx", f"{MARKER} Jones") if kind == "reviewer" else reviewer
    anonymous, signed_in = Client(), Client()
    signed_in.force_login(make_user("reader"))

    a_file = tmp / "calf-cramps.txt"
    a_file.write_text(A_PAGE, encoding="utf-8")
    output = run_import(str(a_file))
    a = Article.objects.filter(public_id=A_ID).first()
    assert a is not None and a.is_live, f"A's page file did not import live: {output}"
    a = edit(
        a,
        editor,
        lambda art: add_image(art, alt="A calf muscle, drawn", caption="The calf muscle", position=1),
        "Added an image",
    )
    submit(a, editor)
    approve(a, reviewer)

    b = make_article(B_TITLE, sections=1, public_id=B_ID)
    section = b.sections.get()
    section.body = f"Twitching is not the same as [calf cramps](article:{A_ID})."
    section.save()
    RelatedArticle.objects.create(article=b, related=fresh(a), position=1)
    publish(b, director, comment="Published")
    c = make_article(C_TITLE, sections=1, public_id=C_ID)
    publish(c, director, comment="Published")

    return World(
        kind=kind,
        tmp=tmp,
        editor=editor,
        reviewer=reviewer,
        director=director,
        approver=approver,
        anonymous=anonymous,
        signed_in=signed_in,
        a=fresh(a),
        a_file=a_file,
        b=fresh(b),
        c=fresh(c),
    )


# ---------------------------------------------------------------- the kinds of draft change


def _title(w: World, article: Article) -> None:
    article.title = f"{MARKER} cramps"


def _summary(w: World, article: Article) -> None:
    article.summary = f"Calf cramps are {MARKER} tightenings of the calf."


def _section(w: World, article: Article) -> None:
    section = article.sections.order_by("position", "id").first()
    section.body += f"\n\nA {MARKER} paragraph awaiting review."
    section.save()


def _names(w: World, article: Article) -> None:
    article.alternative_names.create(name=f"{MARKER} spasm", position=9)


def _citations(w: World, article: Article) -> None:
    citation = Citation(
        kind="book", title=f"{MARKER} handbook of cramps", publisher="Example Press", year="2025"
    )
    citation.full_clean()
    citation.save()
    article.citation_links.create(citation=citation, position=9)


def _images(w: World, article: Article) -> None:
    add_image(article, alt=f"{MARKER} alt text", caption=f"{MARKER} new caption", position=2)
    live = article.images.get(position=1)  # the live image, re-described in the draft
    live.alt_text = f"{MARKER} changed alt text"
    live.caption = f"{MARKER} changed caption"
    live.save()


def _related(w: World, article: Article) -> None:
    # C is live, so its title is public anyway and cannot be the marker. What only this draft
    # says is that A is related to C: C on A's own pages (or A on C's) is the leak to look for.
    article.related_links.create(related=w.c, position=1)


def _credits(w: World, article: Article) -> None:
    credit = EditorialCredit.objects.create(
        name=f"{MARKER} Smith", credentials="MD", role="Medical Director", standing=False
    )
    article.credit_links.create(credit=credit, position=9)


def _organization(w: World, article: Article) -> None:
    article.review_organization = ReviewOrganization.objects.create(name=f"{MARKER} Review Network")


def _reviewer(w: World, article: Article) -> None:
    article.reviewer = w.approver.reviewer_profile


def _codes(w: World, article: Article) -> None:
    # The code's name is shown nowhere public; what only this draft says is that A explains
    # M62.831: an Infobutton request for it answering with A is the leak to look for.
    article.codes.create(system="2.16.840.1.113883.6.90", code="M62.831", display_name=f"{MARKER} calf spasm")


KINDS: dict[str, Callable[[World, Article], None]] = {
    "title": _title,
    "summary": _summary,
    "section": _section,
    "names": _names,
    "citations": _citations,
    "images": _images,
    "related": _related,
    "credits": _credits,
    "organization": _organization,
    "reviewer": _reviewer,
    "codes": _codes,
}
CREDIT_KINDS = {"credits", "organization", "reviewer"}


def make_draft(w: World) -> None:
    """The editor's draft of A, holding the marker; it is in the editor's preview, nowhere public."""
    w.clean_version = Version.objects.get_for_object(w.a).first().pk
    w.a = edit(w.a, w.editor, lambda article: KINDS[w.kind](w, article), f"Draft: {w.kind}")
    assert w.a.state == WorkflowState.DRAFT and w.a.is_live, "A is live with a draft"
    w.marker_version = Version.objects.get_for_object(w.a).first().pk
    assert draft_in_working_copy(w) and preview_shows_draft(w), "the draft must hold the marker"


def draft_in_working_copy(w: World) -> bool:
    """Whether A's working copy, read row by row, still holds the draft's marker (for related
    articles: the link to C)."""
    a = Article.objects.select_related("reviewer", "review_organization").get(public_id=A_ID)
    parts = [
        a.title,
        a.summary,
        *a.sections.values_list("body", flat=True),
        *a.alternative_names.values_list("name", flat=True),
        *a.citation_links.values_list("citation__title", flat=True),
        *(f"{image.alt_text} {image.caption}" for image in a.images.all()),
        *a.related_links.values_list("related__public_id", flat=True),
        *a.credit_links.values_list("credit__name", flat=True),
        a.review_organization.name if a.review_organization else "",
        a.reviewer.name if a.reviewer else "",
        *a.codes.values_list("display_name", flat=True),
    ]
    return (C_ID if w.kind == "related" else MARKER) in " ".join(parts)


def preview_shows_draft(w: World) -> bool:
    """Whether A's working copy holds the draft: its preview, the editor's view of the draft as the
    public page would show it, has the marker (for related articles: C)."""
    staff = Client()
    staff.force_login(w.editor)
    if w.kind == "codes":  # codes are not on the page: the editor's "Changes since live" shows them
        changes = staff.get(f"/admin/encyclopedia/article/{Article.objects.get(public_id=A_ID).pk}/changes/")
        return changes.status_code == 200 and MARKER in changes.content.decode()
    preview = staff.get(f"/admin/encyclopedia/article/{Article.objects.get(public_id=A_ID).pk}/preview/")
    assert preview.status_code == 200
    html = preview.content.decode().lower()
    return all(word.lower() in html for word in forbidden(w, Surface("preview", "", "A")))


# ---------------------------------------------------------------- the surfaces


def forbidden(w: World, surface: Surface) -> list[str]:
    """What ``surface`` must not show while the draft is unapproved."""
    if surface.whose == "draft code":
        return [A_TITLE, f"/ency/article/{A_ID}.htm", MARKER]
    if w.kind == "related":
        if surface.whose == "A":
            return [C_TITLE, f"/ency/article/{C_ID}.htm"]
        if surface.whose == "C":
            return [A_TITLE, f"/ency/article/{A_ID}.htm"]
        return []
    return [MARKER]


def surfaces(w: World) -> list[Surface]:
    a, b = f"/ency/article/{A_ID}", f"/ency/article/{B_ID}"
    return [
        Surface("A's page", f"{a}.htm", "A"),
        Surface("A's page, signed in", f"{a}.htm", "A", signed_in=True),
        Surface("B's page (A related and linked)", f"{b}.htm"),
        Surface("B's page, signed in", f"{b}.htm", signed_in=True),
        Surface("C's page", f"/ency/article/{C_ID}.htm", "C"),
        Surface("C's page, signed in", f"/ency/article/{C_ID}.htm", "C", signed_in=True),
        *(Surface(f"A–Z {letter}", f"/ency/encyclopedia_{letter}.htm") for letter in LETTERS),
        Surface("search for the marker", "/ency/search/?q=zqxmark*"),  # the echoed query is no match
        Surface("search for A", "/ency/search/?q=calf*"),
        Surface("search for the marker, signed in", "/ency/search/?q=zqxmark*", signed_in=True),
        Surface("search for A, signed in", "/ency/search/?q=calf*", signed_in=True),
        Surface("suggest the marker", "/ency/search/suggest/?q=zqxm"),
        Surface("suggest A", "/ency/search/suggest/?q=calf"),
        Surface("feed", "/ency/feed/"),
        Surface("sitemap", "/sitemap.xml"),
        Surface("index (recent updates)", "/ency/"),
        Surface("API list", "/api/v1/articles/"),
        Surface("API detail of A", f"/api/v1/articles/{A_ID}/", "A"),
        Surface("RIS of A", f"{a}.ris", "A"),
        Surface("BibTeX of A", f"{a}.bib", "A"),
        Surface("RIS of A's references", f"{a}-references.ris", "A"),
        Surface("Infobutton for A's live code", LIVE_CODE_REQUEST),
        Surface("Infobutton for the draft's code", DRAFT_CODE_REQUEST, "draft code"),
        Surface("Infobutton page for the draft's code", DRAFT_CODE_PAGE, "draft code"),
        *w.extra,
        *(Surface(f"image page {i:06d}", f"/ency/imagepages/{i:06d}.htm", "A") for i in sorted(w.image_ids)),
    ]


def note_images(w: World) -> None:
    """Every image A has had, in the working copy or in any publication: each has a public page."""
    w.image_ids |= set(ArticleImage.objects.filter(article__public_id=A_ID).values_list("pk", flat=True))
    for images in Publication.objects.filter(article__public_id=A_ID).values_list("images", flat=True):
        w.image_ids |= {image["id"] for image in images}


def check_surfaces(w: World, stage: str) -> dict[str, tuple[int, str]]:
    """Fetch every surface; fail naming each one that shows what it must not. Returns the pages."""
    note_images(w)
    pages: dict[str, tuple[int, str]] = {}
    leaks = []
    for surface in surfaces(w):
        client = w.signed_in if surface.signed_in else w.anonymous
        response = client.get(surface.url, follow=surface.follow)
        body = response.content.decode("utf-8", "replace")
        pages[surface.name] = (response.status_code, body)
        for word in forbidden(w, surface):
            at = body.lower().find(word.lower())
            if at >= 0:
                context = " ".join(body[max(0, at - 60) : at + len(word) + 60].split())
                leaks.append(
                    f"{surface.name} ({surface.url}, {response.status_code}) shows {word!r}: …{context}…"
                )
    assert not leaks, f"{w.kind} draft leaked {stage}:\n" + "\n".join(leaks)
    return pages


def assert_a_is_live(pages: dict[str, tuple[int, str]], title: str = A_TITLE) -> None:
    """The surfaces show A's live content: the leak checks above looked at real pages."""
    for name in ("A's page", "A's page, signed in", "API detail of A", "RIS of A"):
        status, body = pages[name]
        assert status == 200 and title in body, f"{name} does not show A's live title"
    for name in ("B's page (A related and linked)", "A–Z C", "feed", "index (recent updates)", "API list"):
        assert title in pages[name][1], f"{name} does not list A's live title"
    for name in ("search for A", "search for A, signed in"):
        assert f"/ency/article/{A_ID}.htm" in pages[name][1], f"{name} does not find live A"
    assert title in pages["suggest A"][1], "suggest does not offer live A"
    assert title in pages["Infobutton for A's live code"][1], "the Infobutton does not answer with live A"


# ---------------------------------------------------------------- the actions


def _import_prepare(w: World, make_article: Callable[..., Article]) -> None:
    (w.tmp / "night-leg-pain.txt").write_text(D_PAGE, encoding="utf-8")
    w.extra.append(Surface("D's page (links to A)", f"/ency/article/{D_ID}.htm"))


def _import(w: World) -> None:
    """A new page that links to A is imported."""
    w.notes["output"] = run_import(str(w.tmp / "night-leg-pain.txt"))


def _import_check(w: World, pages: dict[str, tuple[int, str]]) -> None:
    status, body = pages["D's page (links to A)"]
    assert status == 200 and D_TITLE in body, f"D did not import live: {w.notes['output']}"
    assert A_TITLE in body, "D's page lists A, linked from its text, by A's live title"


def _reimport(w: World) -> None:
    """A's own page file again, while A has the draft: refused, or (``--replace-draft``) the
    draft discarded. Either way nothing of the draft is published."""
    w.notes["output"] = run_import(str(w.a_file))
    if import_supports("--replace-draft"):
        w.notes["output"] += run_import(str(w.a_file), "--replace-draft")


def _reimport_check(w: World, pages: dict[str, tuple[int, str]]) -> None:
    assert A_ID in w.notes["output"], w.notes["output"]


def _confirm(w: World) -> None:
    """A reviewer confirms live A still accurate: a new publication of the live content."""
    w.notes["before"] = str(fresh(w.a).live_publication_id)
    confirm_still_accurate(w.a, w.reviewer, notes="Checked")


def _confirm_check(w: World, pages: dict[str, tuple[int, str]]) -> None:
    live = fresh(w.a).live_publication
    assert str(live.pk) != w.notes["before"] and live.review_date == timezone.localdate()


def _restore_after_schedule(w: World) -> None:
    """The marker draft is approved to go live in an hour; a director withdraws A (cancelling the
    schedule); past the hour, the scheduler runs and the director restores A. What was live at
    the withdrawal comes back, never the cancelled update."""
    submit(w.a, w.editor)
    go_live = timezone.now() + ONE_HOUR
    approve(w.a, w.approver, go_live_at=go_live)
    withdraw(w.a, w.director, reason="Paused")
    w.clock.move_to(go_live + ONE_HOUR, tick=True)
    publish_due()
    restore(w.a, w.director)


def _restore_check(w: World, pages: dict[str, tuple[int, str]]) -> None:
    a = fresh(w.a)
    assert a.is_live and a.withdrawn_at is None


def _merge_prepare(w: World, make_article: Callable[..., Article]) -> None:
    e = make_article(E_TITLE, sections=1, public_id=E_ID)
    publish(e, w.director, comment="Published")
    w.extra.append(Surface("E's page (merged into A)", f"/ency/article/{E_ID}.htm", "A", follow=True))


def _merge(w: World) -> None:
    """Another live article, E, is merged into A while A has the draft."""
    merge(Article.objects.get(public_id=E_ID), w.director, into=w.a, reason="Duplicate topic")


def _merge_check(w: World, pages: dict[str, tuple[int, str]]) -> None:
    assert Article.objects.get(public_id=E_ID).merged_into_id == w.a.pk
    assert A_TITLE in pages["E's page (merged into A)"][1], "E's old address leads to live A"


def _scheduled(w: World) -> None:
    """B's update, approved to go live in an hour, goes live by the scheduler."""
    edit(w.b, w.editor, _set_b_text("Twitching is usually harmless: scheduled advice."), "B's update")
    submit(w.b, w.editor)
    go_live = timezone.now() + ONE_HOUR
    approve(w.b, w.reviewer, go_live_at=go_live)
    w.clock.move_to(go_live + datetime.timedelta(minutes=1), tick=True)
    assert [article.pk for article in publish_due()] == [w.b.pk]


def _scheduled_check(w: World, pages: dict[str, tuple[int, str]]) -> None:
    assert "scheduled advice" in pages["B's page (A related and linked)"][1]


def _set_b_text(text: str) -> Callable[[Article], None]:
    def change(article: Article) -> None:
        section = article.sections.get()
        section.body = f"{text} Not the same as [calf cramps](article:{A_ID})."
        section.save()

    return change


def _correction(w: World) -> None:
    """A director publishes a minor correction of B; for the credit kinds also of A itself, since
    a correction keeps the live page's review date and credits. (Of A's text a correction
    publishes the draft by design, so the text kinds are not corrected on A.)"""
    edit(w.b, w.editor, _set_b_text("Twitching is usually harmless: corrected wording."), "Typo")
    publish_correction(w.b, w.director, reason="Typo")
    if w.kind in CREDIT_KINDS:
        publish_correction(w.a, w.director, reason="Typo")


def _correction_check(w: World, pages: dict[str, tuple[int, str]]) -> None:
    assert "corrected wording" in pages["B's page (A related and linked)"][1]


def _revert(w: World) -> None:
    """The editor reverts A's draft to the clean version, then back to the marker's version:
    the marker is again only in the working copy."""
    revert(w.a, w.editor, version=Version.objects.get(pk=w.clean_version))
    revert(w.a, w.editor, version=Version.objects.get(pk=w.marker_version))


def _revert_check(w: World, pages: dict[str, tuple[int, str]]) -> None:
    assert fresh(w.a).state == WorkflowState.DRAFT


def _recover(w: World) -> None:
    """A director withdraws and deletes A (with its draft) in the admin, then recovers it: it comes
    back as a draft, not live."""
    withdraw(w.a, w.director, reason="To be deleted")
    admin = Client()
    admin.force_login(w.director)
    response = admin.post(f"/admin/encyclopedia/article/{w.a.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not Article.objects.filter(pk=w.a.pk).exists(), "A was deleted"
    recover(Version.objects.get_deleted(Article).get(object_id=str(w.a.pk)), w.director)


def _recover_check(w: World, pages: dict[str, tuple[int, str]]) -> None:
    a = Article.objects.get(public_id=A_ID)
    assert not a.is_live and a.state == WorkflowState.DRAFT
    assert pages["A's page"][0] == 404
    status, body = pages["B's page (A related and linked)"]
    assert status == 200 and B_TITLE in body


@dataclass(frozen=True)
class Action:
    run: Callable[[World], None]
    check: Callable[[World, dict[str, tuple[int, str]]], None]
    prepare: Callable[[World, Callable[..., Article]], None] | None = None  # before the draft
    a_stays_live: bool = True
    keeps_draft: bool = True  # the draft is still in A's working copy afterwards


ACTIONS: dict[str, Action] = {
    "import": Action(_import, _import_check, prepare=_import_prepare),
    "reimport": Action(_reimport, _reimport_check, keeps_draft=False),  # refused, or replaced
    "confirm": Action(_confirm, _confirm_check),
    "restore-after-schedule": Action(_restore_after_schedule, _restore_check),
    "merge": Action(_merge, _merge_check, prepare=_merge_prepare),
    "scheduled-publish": Action(_scheduled, _scheduled_check),
    "correction": Action(_correction, _correction_check),
    "revert": Action(_revert, _revert_check),
    "recover": Action(_recover, _recover_check, a_stays_live=False),
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# ---------------------------------------------------------------- the matrix


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_no_surface_shows_an_unapproved_draft(action, kind, tmp_path, make_article, time_machine):
    """After ``action``, nothing of A's ``kind`` draft is public, and the surfaces show live A."""
    step = ACTIONS[action]
    w = make_world(kind, tmp_path, make_article)
    w.clock = time_machine
    if step.prepare is not None:
        step.prepare(w, make_article)
    make_draft(w)
    assert_a_is_live(check_surfaces(w, "before the action (the pages now cached)"))
    step.run(w)
    pages = check_surfaces(w, f"after {action}")
    if step.a_stays_live:
        assert_a_is_live(pages)
    step.check(w, pages)
    if step.keeps_draft and not (action == "confirm" and kind == "reviewer"):
        # (A confirmation credits the confirming reviewer: it replaces the draft's reviewer.)
        assert draft_in_working_copy(w), "the surfaces were checked while the draft was still unapproved"


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_marker_is_found_once_its_draft_is_approved(kind, tmp_path, make_article):
    """The control: approved, the same draft shows on A's page, so the matrix can see a leak."""
    w = make_world(kind, tmp_path, make_article)
    make_draft(w)
    check_surfaces(w, "before approval (the pages now cached)")
    submit(w.a, w.editor)
    approve(w.a, w.approver)
    if kind == "codes":
        body = w.anonymous.get(DRAFT_CODE_REQUEST).content.decode()
        assert A_TITLE in body, "approved, the codes draft answers the Infobutton request with A"
        return
    for signed_in in (False, True):
        body = (w.signed_in if signed_in else w.anonymous).get(f"/ency/article/{A_ID}.htm").content.decode()
        for word in forbidden(w, Surface("A's page", "", "A")):
            assert word.lower() in body.lower(), f"approved, the {kind} draft shows on A's page: {word!r}"


# ---------------------------------------------------------------- a page without its review


@pytest.mark.parametrize("page", ["new", "update"])
def test_an_imported_page_without_its_review_is_not_public(page, tmp_path, make_article):
    """An imported page goes live only with its recorded review: without "Review Date" and the
    "Updated by" credit it is a draft like any other, whether it is a new article or an update of
    live A, and its words stay off every surface."""
    w = make_world("unreviewed import", tmp_path, make_article)
    check_surfaces(w, "before the import (the pages now cached)")
    if page == "new":
        text = D_PAGE.replace(D_TITLE, f"{MARKER} fever").replace("Night leg pain wakes", f"{MARKER} wakes")
        w.extra += [
            Surface("the new article's page", f"/ency/article/{D_ID}.htm"),
            Surface("the new article's API detail", f"/api/v1/articles/{D_ID}/"),
        ]
    else:
        text = A_PAGE.replace("a sudden, painful", f"a {MARKER}, painful")
    unreviewed = "\n".join(
        line for line in text.splitlines() if not line.startswith(("Review Date", "Updated by:"))
    )
    path = tmp_path / "unreviewed.txt"
    path.write_text(unreviewed, encoding="utf-8")
    run_import(str(path))
    assert_a_is_live(check_surfaces(w, f"after importing an unreviewed {page} page"))


# ---------------------------------------------------------------- Spanish drafts

SPANISH_TITLE = "Calambres de pantorrilla"  # A's Spanish edition, as it is live in the "update" rows
SPANISH_PAGE = f"""URL de esta página: https://example.org/spanish/ency/article/{A_ID}.htm

{SPANISH_TITLE}

Los calambres de pantorrilla son contracciones dolorosas del músculo.

Causas

Suelen aparecer tras el ejercicio.

Fecha de revisión 31/3/2025

Actualizado por: Joan Example, MD, Example University Hospital, Springfield, IL.
"""


def spanish_surfaces() -> list[Surface]:
    """The Spanish edition's public surfaces (helper 17b's pages), and the English ones'
    Spanish-language variants: a Spanish draft's words must be on none of them either."""
    a = f"/spanish/ency/article/{A_ID}"
    return [
        Surface("A's Spanish page", f"{a}.htm", "A"),
        Surface("A's Spanish page, signed in", f"{a}.htm", "A", signed_in=True),
        Surface("Spanish index", "/spanish/ency/"),
        *(Surface(f"Spanish A–Z {letter}", f"/spanish/ency/encyclopedia_{letter}.htm") for letter in LETTERS),
        Surface("Spanish search for the marker", "/spanish/ency/search/?q=zqxmark*"),
        Surface("Spanish search for A", "/spanish/ency/search/?q=calambres"),
        Surface("Spanish search for A, signed in", "/spanish/ency/search/?q=calambres", signed_in=True),
        Surface("Spanish suggest the marker", "/spanish/ency/search/suggest/?q=zqxm"),
        Surface("Spanish feed", "/spanish/ency/feed/"),
        Surface("Spanish API list", "/api/v1/articles/?lang=es"),
        Surface("Spanish API detail of A", f"/api/v1/articles/{A_ID}/?lang=es", "A"),
        Surface("Spanish RIS of A", f"{a}.ris", "A"),
        Surface("Spanish BibTeX of A", f"{a}.bib", "A"),
    ]


def spanish_reviewer(w: World) -> User:
    """A reviewer qualified for Spanish (only such a reviewer approves a Spanish edition)."""
    user = reviewer_user("lucia", "Lucía Revisora")
    Reviewer.objects.filter(user=user).update(languages="en,es")
    return User.objects.get(pk=user.pk)


def _spanish_words(title: str, words: str) -> Callable[[Article], None]:
    def change(article: Article) -> None:
        article.title = title
        article.summary = f"Los calambres son {words} contracciones del músculo."
        article.translated_by = f"Traducciones {words}"  # the translator credit, shown on the page
        for section in article.sections.all():
            section.body = f"Texto {words} de la sección."
            section.save()
        article.alternative_names.all().delete()
        article.alternative_names.create(name=f"Espasmo {words}".strip(), position=1)

    return change


def make_spanish_draft(w: World, situation: str) -> Article:
    """A's Spanish edition with a draft holding the marker: never live ("new"), or live with
    clean words and then changed ("update"). The editor's preview shows the marker."""
    edition = add_spanish_edition(w.a, w.director)
    if situation == "update":
        edition = edit(edition, w.editor, _spanish_words(SPANISH_TITLE, "buenas"), "Traducción")
        submit(edition, w.editor)
        approve(edition, w.spanish_approver)
        edition = fresh(edition)
        assert edition.is_live
    edition = edit(edition, w.editor, _spanish_words(f"{MARKER} calambres", MARKER), "Borrador")
    assert edition.state == WorkflowState.DRAFT
    staff = Client()
    staff.force_login(w.editor)
    preview = staff.get(f"/admin/encyclopedia/article/{edition.pk}/preview/")
    assert preview.status_code == 200 and MARKER in preview.content.decode(), "the draft must hold the marker"
    return edition


def _english_change(w: World, *, approve_it: bool) -> None:
    english = edit(w.a, w.editor, _set_a_text("Stretching before exercise helps."), "English update")
    if approve_it:
        submit(english, w.editor)
        approve(english, w.reviewer)
    else:
        publish_correction(english, w.director, reason="Wording")


def _confirm_translation(w: World, edition: Article) -> None:
    """The English page changes (the edition is out of date), then a Spanish-qualified reviewer
    confirms the translation still matches: the mark clears, nothing is republished."""
    _english_change(w, approve_it=False)
    confirm_translation(edition, w.spanish_approver)


def _set_a_text(text: str) -> Callable[[Article], None]:
    def change(article: Article) -> None:
        section = article.sections.order_by("position", "id").first()
        section.body += f"\n\n{text}"
        section.save()

    return change


SPANISH_ACTIONS: dict[str, Callable[[World, Article], None]] = {
    "nothing": lambda w, edition: None,
    "english-correction": lambda w, edition: _english_change(w, approve_it=False),
    "english-approval": lambda w, edition: _english_change(w, approve_it=True),
    "confirm-translation": lambda w, edition: _confirm_translation(w, edition),
    "spanish-import": lambda w, edition: w.notes.update(
        output=run_import(str(_write(w.tmp / "calambres.txt", SPANISH_PAGE)))
    ),
}


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("situation", ["new", "update"])
@pytest.mark.parametrize("action", list(SPANISH_ACTIONS))
def test_no_surface_shows_an_unapproved_spanish_draft(action, situation, tmp_path, make_article):
    """A Spanish draft's words (title, summary, sections, names, translator) are on no public
    surface, English or Spanish, before and after each action that changes what the public sees of A."""
    w = make_world("spanish", tmp_path, make_article)
    w.spanish_approver = spanish_reviewer(w)
    edition = make_spanish_draft(w, situation)
    w.extra += spanish_surfaces()
    pages = check_surfaces(w, "before the action (the pages now cached)")
    assert_a_is_live(pages)
    SPANISH_ACTIONS[action](w, fresh(edition))
    pages = check_surfaces(w, f"after {action}")
    assert_a_is_live(pages)
    edition = fresh(edition)
    assert MARKER in edition.title, "the surfaces were checked while the Spanish draft was unapproved"
    status, body = pages["A's Spanish page"]
    if situation == "update":
        assert status == 200 and SPANISH_TITLE in body, "A's Spanish page shows its live translation"
        assert "Traducciones buenas" in body, "A's Spanish page credits the approved translator"
        for name in (
            "Spanish index",
            "Spanish A–Z C",
            "Spanish feed",
            "Spanish API list",
            "Spanish search for A",
            "Spanish search for A, signed in",
        ):
            assert SPANISH_TITLE in pages[name][1], f"{name} does not list A's live translation"
    else:
        assert status == 404, "a Spanish edition never approved has no page"
    if action == "spanish-import":
        assert "draft" in w.notes["output"], "the import is refused over the Spanish draft"
    if action in ("english-correction", "english-approval"):
        assert edition.out_of_date_since is not None
    if action == "confirm-translation":
        assert edition.out_of_date_since is None


def test_the_spanish_marker_is_found_once_its_draft_is_approved(tmp_path, make_article):
    """The control: approved by a Spanish-qualified reviewer, the draft shows on A's Spanish page."""
    w = make_world("spanish", tmp_path, make_article)
    w.spanish_approver = spanish_reviewer(w)
    edition = make_spanish_draft(w, "new")
    w.extra += spanish_surfaces()
    check_surfaces(w, "before approval (the pages now cached)")
    submit(edition, w.editor)
    approve(edition, w.spanish_approver)
    for client in (w.anonymous, w.signed_in):
        body = client.get(f"/spanish/ency/article/{A_ID}.htm").content.decode()
        assert MARKER in body, "approved, the Spanish draft shows on A's Spanish page"
    assert MARKER not in w.anonymous.get(f"/ency/article/{A_ID}.htm").content.decode(), (
        "not on the English page"
    )


@pytest.mark.parametrize("action", ["withdraw", "merge"])
def test_the_english_withdrawal_takes_the_spanish_page_off_every_surface(action, tmp_path, make_article):
    """Withdrawn (or merged) in English, A is gone in Spanish too: its Spanish address answers 410
    (301 to C's Spanish address), and no surface, cached before, shows its live translation or
    its Spanish draft."""
    w = make_world("spanish", tmp_path, make_article)
    w.spanish_approver = spanish_reviewer(w)
    make_spanish_draft(w, "update")
    w.extra += spanish_surfaces()
    pages = check_surfaces(w, "before the English withdrawal (the pages now cached)")
    assert SPANISH_TITLE in pages["Spanish index"][1], "the Spanish index listed A's translation"
    if action == "withdraw":
        withdraw(fresh(w.a), w.director, reason="Unsafe advice")
    else:
        merge(fresh(w.a), w.director, into=w.c, reason="One article")
    pages = check_surfaces(w, f"after the English {action}")
    for client in (w.anonymous, w.signed_in):
        response = client.get(f"/spanish/ency/article/{A_ID}.htm")
        if action == "withdraw":
            assert response.status_code == 410, "A's Spanish page is withdrawn with the English one"
        else:
            assert (response.status_code, response["Location"]) == (
                301,
                f"/spanish/ency/article/{w.c.public_id}.htm",
            )
    for name in (
        "Spanish index",
        "Spanish A–Z C",
        "Spanish feed",
        "Spanish API list",
        "Spanish search for A",
        "Spanish search for A, signed in",
    ):
        assert SPANISH_TITLE not in pages[name][1], f"{name} still lists A's withdrawn translation"
    assert pages["Spanish API detail of A"][0] in (404, 410), "the API no longer serves A's translation"
