"""Builders the test modules share: users, edits of an article, pictures, page files, the
admin's forms, and exports. A test module imports these from here, never from another test
module; fixtures live in conftest.py, with the helpers that read a page (``page_text`` …).

Everything here needs the database (``pytest.mark.django_db``) except ``picture``, ``upload``,
``write_page``, ``seed_sections`` and ``to_markdown``.
"""

from __future__ import annotations

import io
import os
import re
import struct
import zlib
from typing import Any

import pytest
import reversion
from django.contrib.auth.models import Group, User
from django.core.cache.backends.redis import RedisCache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from editorial import export
from editorial.actions.edit import record_edit
from editorial.actions.restore_content import restore_content
from encyclopedia.models import Article, ArticleImage, Reviewer, SectionHeading, SiteSettings
from tests.conftest import page_text

# ---------------------------------------------------------------- users


def make_user(username: str, *groups: str, superuser: bool = False) -> User:
    """A staff user ``username`` (password "pw") in ``groups`` (the role names in editorial.roles)."""
    user = User.objects.create_user(username, f"{username}@example.org", "pw", is_staff=True)
    if superuser:
        user.is_superuser = True
        user.save()
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return User.objects.get(pk=user.pk)  # a fresh object: no cached permissions


def with_profile(user: User, name: str | None = None) -> User:
    """``user`` with a reviewer profile, named ``name`` (by default "Dr <username>")."""
    Reviewer.objects.create(
        name=name if name is not None else f"Dr {user.username}", credentials="MD", user=user
    )
    return User.objects.get(pk=user.pk)


# ---------------------------------------------------------------- articles


def edit(article: Article, user: User, body: str) -> None:
    """What an admin save does to the working copy: a revision by ``user`` and a draft."""
    previous = article.state
    with reversion.create_revision():
        section = article.sections.first()
        section.body = body
        section.save()
        article.save()
        reversion.set_user(user)
    record_edit(article, user, previous, "Edited: body")


# ---------------------------------------------------------------- images


def picture(size=(2400, 1600), fmt="PNG", mode="RGB", *, noisy: bool = False, **save) -> bytes:
    """A picture encoded as ``fmt``: smooth colour gradients, or noise (which compresses badly)."""
    if noisy:
        image = Image.effect_noise(size, 60)
    else:
        horizontal = Image.linear_gradient("L").rotate(90).resize(size)
        vertical = Image.linear_gradient("L").resize(size)
        image = Image.merge("RGB", [horizontal, vertical, Image.radial_gradient("L").resize(size)])
    out = io.BytesIO()
    image.convert(mode).save(out, fmt, **save)
    return out.getvalue()


def upload(data: bytes, name: str = "photo.png", content_type: str = "image/png") -> SimpleUploadedFile:
    """``data`` as a browser uploads a file named ``name``."""
    return SimpleUploadedFile(name, data, content_type=content_type)


def add_image(article, data=None, *, name="photo.png", alt="A hand with the fingers bent", **fields):
    """An image of ``article``, checked as the admin checks it and saved (set MEDIA_ROOT first)."""
    image = ArticleImage(
        article=article,
        image=upload(data if data is not None else picture(), name),
        alt_text=alt,
        **fields,
    )
    image.full_clean()
    image.save()
    return image


# ---------------------------------------------------------------- page files for the importer


def write_page(tmp_path, content: str | bytes, name: str = "page.txt") -> str:
    """Write ``content`` (text as UTF-8, or bytes as they are) to ``tmp_path / name``; returns the path."""
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


def seed_sections(seed_text: str) -> dict[str, list[str]]:
    """The seed's own sections: heading -> its non-blank lines, read straight from the file."""
    lines = seed_text.splitlines()
    headings = [
        "Considerations",
        "Causes",
        "Home Care",
        "When to Contact a Medical Professional",
        "What to Expect at Your Office Visit",
        "Alternative Names",
        "References",
    ]
    found: dict[str, list[str]] = {}
    current = None
    for line in lines:
        if line.strip() in headings:
            current = line.strip()
            found[current] = []
        elif line.startswith("Review Date"):
            current = None
        elif current and line.strip():
            found[current].append(line.strip())
    return found


def to_markdown(seed_text: str) -> str:
    """The same page as Markdown: # title, ## headings."""
    out = []
    headings = set(seed_sections(seed_text))
    for line in seed_text.splitlines():
        if line.strip() == "Hand or foot spasms":
            out.append("# Hand or foot spasms")
        elif line.strip() in headings:
            out.append("## " + line.strip())
        else:
            out.append(line)
    return "\n".join(out)


# ---------------------------------------------------------------- admin forms


def article_form(**overrides) -> dict:
    """The article add form as a browser posts it: two sections, one alternative name, no rows
    in the other inlines; ``overrides`` replace or add fields."""
    causes = SectionHeading.objects.get(name="Causes")
    data = {
        "public_id": "",
        "title": "Leg cramps",
        "slug": "",
        "article_type": "symptom",
        "summary": "A sample summary.",
        "review_date": "2026-01-15",
        "reviewer": "",
        "review_organization": "",
        "sections-TOTAL_FORMS": "2",
        "sections-INITIAL_FORMS": "0",
        "sections-0-heading": str(causes.pk),
        "sections-0-custom_heading": "",
        "sections-0-position": "1",
        "sections-0-body": "Overuse, mostly.",
        "sections-1-heading": "",
        "sections-1-custom_heading": "Living with cramps",
        "sections-1-position": "2",
        "sections-1-body": "See [the target](article:777777).",
        "alternative_names-TOTAL_FORMS": "1",
        "alternative_names-INITIAL_FORMS": "0",
        "alternative_names-0-name": "Muscle cramps",
        "alternative_names-0-position": "1",
        "citation_links-TOTAL_FORMS": "0",
        "citation_links-INITIAL_FORMS": "0",
        "credit_links-TOTAL_FORMS": "0",
        "credit_links-INITIAL_FORMS": "0",
        "images-TOTAL_FORMS": "0",
        "images-INITIAL_FORMS": "0",
        "related_links-TOTAL_FORMS": "0",
        "related_links-INITIAL_FORMS": "0",
        "codes-TOTAL_FORMS": "0",
        "codes-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def form_data(client, article: Article) -> dict:
    """The change form of ``article`` as the browser would post it back, unchanged."""
    return admin_form_data(client.get(f"/admin/encyclopedia/article/{article.pk}/change/"))


def admin_form_data(response) -> dict:
    """An admin change form's response as the browser would post it back, unchanged."""
    adminform = response.context["adminform"]
    data = {}
    for name in adminform.form.fields:
        value = adminform.form[name].value()
        if value is not None:
            data[name] = value
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{formset.formset.prefix}-{name}"] = management[name].value()
        for form in formset.formset.forms:
            for name in form.fields:
                value = form[name].value()
                if value is not None and value is not False:
                    data[form.add_prefix(name)] = value
    return data


# ---------------------------------------------------------------- exports


def export_text() -> str:
    """All content exported as JSON (what ``manage.py export_articles`` writes), as text."""
    out = io.StringIO()
    export.export_content(out)
    return out.getvalue()


def restore_text(text: str, **kwargs: Any) -> export.LoadSummary:
    """Restore an export's ``text`` (as ``manage.py restore_articles`` does); returns what was loaded."""
    return restore_content(io.BytesIO(text.encode()), **kwargs)


def wipe() -> None:
    """Leave what a new, migrated database holds: no content and no accounts."""
    Article.objects.update(merged_into=None, live_publication=None, translation_of=None)
    for model in reversed(export.CONTENT_MODELS):
        if model not in export.SEEDED_MODELS:
            model._base_manager.all().delete()
    SiteSettings.objects.all().delete()
    SiteSettings().save()  # the defaults, as the migration leaves them
    User.objects.all().delete()
    assert not export.content_counts()


def seen_on(page: str) -> str:
    """The fingerprint an approve form carries (what the reviewer was shown), as a browser posts it."""
    import re

    return re.search(r'name="(?:approve-)?seen" value="([0-9a-f]{64})"', page)[1]


def notice_form(badge) -> dict:
    """The accreditation notice admin's add form, with ``badge`` as its upload."""
    return {
        "body": "Example Council",
        "body_url": "https://example.org",
        "program": "Health Content",
        "program_url": "",
        "valid_from": "2020-01-01",
        "valid_until": "2099-01-01",
        "statement": "Accredited.",
        "badge": badge,
    }


def field_error(html: str, name: str) -> str:
    """The error shown for the input ``name``: the list the input points at (aria-describedby)."""
    found = re.search(rf'<ul class="errorlist" id="id_{re.escape(name)}_error">(.*?)</ul>', html, re.S)
    if not found:
        return ""
    tag = re.search(rf'<(?:input|textarea|select)\b[^>]*\bname="{re.escape(name)}"[^>]*>', html)
    assert tag and f"id_{name}_error" in tag.group(0), f"the {name} input does not point at its error"
    return page_text(found.group(1)).strip()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` × ``height`` pixels (a decompression bomb's header)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0"))
        + chunk(b"IEND", b"")
    )


# The Redis the tests that need a real one use (a database of its own, emptied by them).
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_up() -> bool:
    """Whether a Redis answers at ``TEST_REDIS_URL``."""
    try:
        RedisCache(TEST_REDIS_URL, {}).get("ping")
    except Exception:  # noqa: BLE001 - any failure means "not reachable here"
        return False
    return True


# Skips only where no Redis runs and none is required: CI starts one and sets REQUIRE_REDIS=1,
# so there a missing Redis fails the tests instead.
needs_redis = pytest.mark.skipif(
    not os.environ.get("REQUIRE_REDIS") and not redis_up(),
    reason=f"no Redis server at {TEST_REDIS_URL} (CI starts one and sets REQUIRE_REDIS=1)",
)
