"""Readable differences between two states of an article, for reviewers.

Both sides are reduced to the same shape (title, summary, sections of paragraphs and
list items, alternative names, codes, references), whether they come from the working copy,
a live publication or a reversion version, and compared block by block, with
word-level changes inside a changed paragraph or list item.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from django.utils.html import escape
from reversion.models import Version

from encyclopedia import markup
from encyclopedia.coding import Code
from encyclopedia.credits import credit_line, join_credits
from encyclopedia.models import (
    AlternativeName,
    Article,
    ArticleCitation,
    ArticleCredit,
    ArticleImage,
    Citation,
    CodedConcept,
    EditorialCredit,
    Publication,
    RelatedArticle,
    Reviewer,
    ReviewOrganization,
    Section,
    SectionHeading,
)
from encyclopedia.snapshot import freeze
from encyclopedia.templating import us_date


@dataclass
class Document:
    title: str
    summary_html: str
    sections: list[dict]  # [{heading, html}]
    alternative_names: list[str]
    references: list[str]  # HTML
    credits: str = ""  # the review credit line readers see
    images: list[str] = field(default_factory=list)  # "alt text: caption [file]"
    review_date: str = ""  # as the page shows it: 3/31/2024
    related: list[str] = field(default_factory=list)  # the managed related articles: "Title (000123)"
    codes: list[str] = field(default_factory=list)  # "ICD-10-CM E11.9 Type 2 diabetes"


@dataclass
class Block:
    kind: str  # "p" or "li"
    status: str  # "same", "added", "removed" or "changed"
    html: str  # escaped text; <ins> and <del> mark the changes


@dataclass
class SectionDiff:
    heading: str
    status: str
    blocks: list[Block]


@dataclass
class ListDiff:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)

    @property
    def shown(self) -> bool:
        """Whether either side has an item: a list neither has gets no heading."""
        return bool(self.added or self.removed or self.kept)


@dataclass
class DocumentDiff:
    title: Block
    summary: list[Block]
    sections: list[SectionDiff]
    alternative_names: ListDiff
    references: ListDiff
    credits: Block
    images: ListDiff
    review_date: Block
    related: ListDiff
    codes: ListDiff = field(default_factory=ListDiff)
    order_changed: bool = False  # the same sections stand in another order
    whole: bool = False  # no earlier version: the whole draft is new

    @property
    def has_changes(self) -> bool:
        return (
            self.whole
            or self.title.status != "same"
            or any(b.status != "same" for b in self.summary)
            or any(s.status != "same" for s in self.sections)
            or self.alternative_names.changed
            or self.references.changed
            or self.credits.status != "same"
            or self.images.changed
            or self.review_date.status != "same"
            or self.related.changed
            or self.codes.changed
            or self.order_changed
        )


def from_working_copy(article: Article) -> Document:
    """The draft as an approval would publish it (its credits included before a first review)."""
    return _document(freeze(article, as_approved=True))


def from_publication(publication: Publication) -> Document:
    return _document({name: getattr(publication, name) for name in FROZEN_FIELDS})


FROZEN_FIELDS = (
    "title",
    "summary_html",
    "sections",
    "alternative_names",
    "references",
    "updated_by",
    "review_organization",
    "also_reviewed_by",
    "images",
    "review_date",
    "related_article_ids",
    "codes",
)


def from_version(version: Version) -> Document:
    """The article as it stood in ``version``, rebuilt from the revision's stored rows."""
    revision = version.revision
    article = _instance(Article, version.field_dict)
    rows: dict[type, list[Any]] = {
        Section: [],
        AlternativeName: [],
        ArticleCitation: [],
        ArticleCredit: [],
        ArticleImage: [],
        RelatedArticle: [],
        CodedConcept: [],
    }
    for other in revision.version_set.all():
        model = other.content_type.model_class()
        if model in rows:
            row = _instance(model, other.field_dict)
            if row.article_id == article.pk:
                rows[model].append(row)
    for model_rows in rows.values():
        model_rows.sort(key=lambda row: (row.position, row.pk or 0))
    headings = SectionHeading.objects.in_bulk([s.heading_id for s in rows[Section] if s.heading_id])
    citations = Citation.objects.in_bulk([link.citation_id for link in rows[ArticleCitation]])
    return Document(
        title=article.title,
        summary_html=markup.render(article.summary).html,
        sections=[
            {
                "heading": headings[s.heading_id].name if s.heading_id in headings else s.custom_heading,
                "html": markup.render(s.body).html,
            }
            for s in rows[Section]
        ],
        alternative_names=[n.name for n in rows[AlternativeName]],
        references=[
            citations[c.citation_id].as_html() for c in rows[ArticleCitation] if c.citation_id in citations
        ],
        credits=_version_credits(article, rows[ArticleCredit]),
        images=[_image_line(image.frozen()) for image in rows[ArticleImage]],
        review_date=us_date(_version_review_date(article.pk, revision)),
        related=_related_lines([link.related_id for link in rows[RelatedArticle]], "pk"),
        codes=[row.frozen().line() for row in rows[CodedConcept]],
    )


def _version_review_date(article_pk: int, revision: Any) -> Any:
    """The review date of the page as it stood at ``revision`` (versions do not hold it: only
    reviews set it). A review publishes inside the transaction of its revision, so: the latest
    publication made from the revision's time until the article's next revision (an approval, a
    confirmation, an import, a correction); or else the one frozen from the revision but dated
    later (an approval waiting for its go-live time); or else the latest before it."""
    publications = list(
        Publication.objects.filter(article_id=article_pk)
        .order_by("published_at", "pk")
        .values_list("revision_id", "published_at", "review_date")
    )
    if not publications:
        return None
    following = (
        Version.objects.get_for_object_reference(Article, article_pk)
        .filter(revision__date_created__gt=revision.date_created)
        .order_by("revision__date_created")
        .values_list("revision__date_created", flat=True)
        .first()
    )
    start = revision.date_created
    during = [
        review_date
        for _, published_at, review_date in publications
        if published_at >= start and (following is None or published_at < following)
    ]
    if during:
        return during[-1]
    own = [review_date for revision_id, _, review_date in publications if revision_id == revision.pk]
    if own:
        return own[0]
    before = [review_date for _, published_at, review_date in publications if published_at < start]
    return before[-1] if before else None


def _related_lines(keys: list[Any], field_name: str) -> list[str]:
    """The related articles named by ``keys`` (pks or public ids), as "Title (000123)"."""
    # Related articles are English ones (a public id names one article per language).
    rows = Article.objects.english().filter(**{f"{field_name}__in": keys}) if keys else []
    found = {getattr(row, field_name): row for row in rows}
    return [f"{found[key].title} ({found[key].public_id})" if key in found else str(key) for key in keys]


def _version_credits(article: Article, links: list[ArticleCredit]) -> str:
    reviewer = Reviewer.objects.filter(pk=article.reviewer_id).first()
    organization = ReviewOrganization.objects.filter(pk=article.review_organization_id).first()
    credited = EditorialCredit.objects.in_bulk([link.credit_id for link in links])
    rows = [credited[link.credit_id] for link in links if link.credit_id in credited]
    rows = EditorialCredit.shown(rows)
    return credit_line(
        reviewer.credit() if reviewer else "",
        organization.name if organization else "",
        join_credits([row.credit() for row in rows]),
    )


def compare(old: Document | None, new: Document) -> DocumentDiff:
    """What changed from ``old`` to ``new``; with no ``old``, the whole of ``new`` is added."""
    if old is None:
        old = Document(title="", summary_html="", sections=[], alternative_names=[], references=[])
        whole = True
    else:
        whole = False
    new_headings = [s["heading"] for s in new.sections]
    old_headings = [s["heading"] for s in old.sections]
    return DocumentDiff(
        title=_text_block("h", old.title, new.title),
        summary=_blocks(_split(old.summary_html), _split(new.summary_html)),
        sections=_sections(old.sections, new.sections),
        alternative_names=_list(old.alternative_names, new.alternative_names),
        references=_list([_plain(r) for r in old.references], [_plain(r) for r in new.references]),
        credits=_text_block("p", old.credits, new.credits),
        images=_list(old.images, new.images),
        review_date=_text_block("p", old.review_date, new.review_date),
        related=_list(old.related, new.related),
        codes=_list(old.codes, new.codes),
        order_changed=[h for h in old_headings if h in new_headings]
        != [h for h in new_headings if h in old_headings],
        whole=whole,
    )


def _instance(model: type, field_dict: dict) -> Any:
    concrete = {f.attname for f in model._meta.concrete_fields}
    return model(**{name: value for name, value in field_dict.items() if name in concrete})


def _document(fields: dict) -> Document:
    return Document(
        title=fields["title"],
        summary_html=fields["summary_html"],
        sections=fields["sections"],
        alternative_names=fields["alternative_names"],
        references=fields["references"],
        credits=credit_line(fields["updated_by"], fields["review_organization"], fields["also_reviewed_by"]),
        images=[_image_line(image) for image in fields.get("images", [])],
        review_date=us_date(fields.get("review_date")),
        related=_related_lines(list(fields.get("related_article_ids", [])), "public_id"),
        codes=[Code(**code).line() for code in fields.get("codes", [])],
    )


def _image_line(image: dict) -> str:
    caption = f": {image['caption']}" if image.get("caption") else ""
    return f"{image['alt']}{caption} [{image['url'].rsplit('/', 1)[-1]}]"


class _BlockParser(HTMLParser):
    """Paragraphs and list items of rendered article HTML, as plain text."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[tuple[str, str]] = []
        self._kind: str | None = None
        self._text: list[str] = []
        self._href: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag in ("p", "li"):
            self._flush()
            self._kind = tag
        elif tag == "a":
            self._href = dict(attrs).get("href") or ""

    def handle_endtag(self, tag):
        if tag in ("p", "li"):
            self._flush()
        elif tag == "a" and self._href is not None:
            self._text.append(f" [link: {self._href}]")  # a changed link target is a change
            self._href = None

    def handle_data(self, data):
        if self._kind:
            self._text.append(data)

    def _flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self._text)).strip()
        if self._kind and text:
            self.blocks.append((self._kind, text))
        self._kind, self._text = None, []


def _split(html: str) -> list[tuple[str, str]]:
    parser = _BlockParser()
    parser.feed(html)
    parser.close()
    parser._flush()
    return parser.blocks


def _plain(html: str) -> str:
    parser = _BlockParser()
    parser.feed(f"<p>{html}</p>")
    parser.close()
    return parser.blocks[0][1] if parser.blocks else ""


def _words(old: str, new: str) -> str:
    """``new`` with the words removed from ``old`` in <del> and the added ones in <ins>."""
    a, b = re.findall(r"\s*\S+", old), re.findall(r"\s*\S+", new)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
    return "".join(out)


def _text_block(kind: str, old: str, new: str) -> Block:
    if old == new:
        return Block(kind, "same", escape(new))
    if not old:
        return Block(kind, "added", escape(new))
    if not new:
        return Block(kind, "removed", escape(old))
    return Block(kind, "changed", _words(old, new))


def _blocks(old: list[tuple[str, str]], new: list[tuple[str, str]]) -> list[Block]:
    out: list[Block] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.extend(Block(kind, "same", escape(text)) for kind, text in new[j1:j2])
        elif op == "replace":
            pairs = min(i2 - i1, j2 - j1)
            for (old_kind, old_text), (kind, text) in zip(
                old[i1 : i1 + pairs], new[j1 : j1 + pairs], strict=True
            ):
                out.append(
                    _text_block(kind, old_text, text)
                    if old_kind == kind
                    else Block(kind, "changed", _words(old_text, text))
                )
            out.extend(Block(kind, "removed", escape(text)) for kind, text in old[i1 + pairs : i2])
            out.extend(Block(kind, "added", escape(text)) for kind, text in new[j1 + pairs : j2])
        elif op == "delete":
            out.extend(Block(kind, "removed", escape(text)) for kind, text in old[i1:i2])
        else:
            out.extend(Block(kind, "added", escape(text)) for kind, text in new[j1:j2])
    return out


def _sections(old: list[dict], new: list[dict]) -> list[SectionDiff]:
    old_by_heading = {s["heading"]: s for s in old}
    new_headings = {s["heading"] for s in new}
    out = []
    for section in new:
        before = old_by_heading.get(section["heading"])
        if before is None:
            out.append(SectionDiff(section["heading"], "added", _blocks([], _split(section["html"]))))
            continue
        blocks = _blocks(_split(before["html"]), _split(section["html"]))
        status = "same" if all(b.status == "same" for b in blocks) else "changed"
        out.append(SectionDiff(section["heading"], status, blocks))
    for section in old:
        if section["heading"] not in new_headings:
            out.append(SectionDiff(section["heading"], "removed", _blocks(_split(section["html"]), [])))
    return out


def _list(old: list[str], new: list[str]) -> ListDiff:
    return ListDiff(
        added=[item for item in new if item not in old],
        removed=[item for item in old if item not in new],
        kept=[item for item in new if item in old],
    )
