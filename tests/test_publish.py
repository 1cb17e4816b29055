"""Publishing freezes the working copy, records a revision and an audit event, and checks roles."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from reversion.models import Version

from editorial.actions.publish import publish
from editorial.errors import NotAllowed
from editorial.models import AuditEvent
from encyclopedia.models import Publication, Reviewer

pytestmark = pytest.mark.django_db


def test_publish_freezes_content_with_revision_and_audit(make_article):
    user = User.objects.create_user("director")
    user.user_permissions.add(Permission.objects.get(codename="publish_article"))
    article = make_article("Frozen")
    publication = publish(article, user, comment="First publication")
    article.refresh_from_db()
    assert article.live_publication == publication
    assert publication.title == "Frozen"
    assert [s["heading"] for s in publication.sections] == ["Causes", "Part 2"]
    assert publication.revision.comment == "First publication"
    assert publication.revision.user == user
    assert Version.objects.get_for_object(article).count() == 1
    event = AuditEvent.objects.get()
    assert (event.action, event.user, event.article_public_id) == ("publish", user, article.public_id)


def test_publish_is_refused_without_the_permission(make_article):
    article = make_article("Not yours")
    with pytest.raises(NotAllowed):
        publish(article, User.objects.create_user("editor"))
    assert Publication.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_reviewer_credit_is_frozen_at_publication(make_article, publish_article, client):
    reviewer = Reviewer.objects.create(name="Ada Example", credentials="MD", institution="Example University")
    article = publish_article(make_article("Credited", reviewer=reviewer))
    reviewer.institution = "Another University"
    reviewer.save()
    html = client.get(f"/ency/article/{article.public_id}.htm").content.decode()
    assert "Updated by: Ada Example, MD, Example University." in html
    assert "Another University" not in html


def test_restoring_an_old_version_never_changes_what_is_live(make_article, publish_article):
    article = publish_article(make_article("Original"))
    first = Version.objects.get_for_object(article).first()
    article.title = "Second"
    article.save()
    section = article.sections.first()
    section.body = "Rewritten."
    section.save()
    article.alternative_names.create(name="Added later")
    article = publish_article(article)
    live = article.live_publication
    first.revision.revert(delete=True)
    article.refresh_from_db()
    assert article.title == "Original", "the working copy is restored"
    assert article.sections.first().body.startswith("Paragraph 1."), "with its sections"
    assert not article.alternative_names.exists(), "and its alternative names"
    assert article.live_publication == live, "the live page is not"


def test_article_links_are_recorded_as_cross_references(make_article, publish_article):
    from encyclopedia.models import CrossReference

    article = make_article("Linking")
    article.summary = "See [cramps](article:000777) and [spasms](article:000778)."
    article.save()
    publish_article(article)
    targets = CrossReference.objects.filter(publication=article.live_publication)
    assert sorted(targets.values_list("target_public_id", flat=True)) == ["000777", "000778"]
