"""The media disk unwritable: an upload is refused with a clear message, and nothing is half-saved.

The media folder really cannot be written: MEDIA_ROOT lies under a regular file, which no
process can make a folder in (root included, whom file permissions would not stop).
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from reversion.models import Version

from encyclopedia.models import AccreditationNotice, ArticleImage
from tests.factories import form_data, notice_form, picture, upload

pytestmark = pytest.mark.django_db

REFUSED = "could not be stored"


@pytest.fixture
def unwritable_media(settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a regular file where the media folder should be")
    settings.MEDIA_ROOT = blocker / "media"
    return blocker


def test_the_admin_refuses_an_upload_to_an_unwritable_disk_with_a_message(
    unwritable_media, superuser_client, make_article
):
    article = make_article("No room for pictures")
    url = f"/admin/encyclopedia/article/{article.pk}/change/"
    versions = Version.objects.get_for_object(article).count()
    post = form_data(superuser_client, article)
    post.update(
        {
            "title": "Renamed in the same save",
            "images-TOTAL_FORMS": "1",
            "images-0-image": upload(picture((200, 100)), "spasm.png"),
            "images-0-alt_text": "A hand with the fingers bent",
            "images-0-position": "1",
        }
    )
    response = superuser_client.post(url, post)
    assert response.status_code == 200
    html = response.content.decode()
    assert REFUSED in html and "MEDIA_ROOT" in html
    assert not ArticleImage.objects.exists()
    article.refresh_from_db()
    assert article.title == "No room for pictures", "nothing of the form is saved"
    assert Version.objects.get_for_object(article).count() == versions


def test_an_image_saved_to_an_unwritable_disk_is_refused_and_leaves_no_row(unwritable_media, make_article):
    article = make_article("Refused")
    image = ArticleImage(article=article, image=upload(picture((80, 60))), alt_text="A hand")
    with pytest.raises(ValidationError, match=REFUSED):
        image.save()
    assert not ArticleImage.objects.exists()


def test_a_row_that_cannot_be_inserted_leaves_no_file_behind(settings, tmp_path, make_article):
    settings.MEDIA_ROOT = tmp_path
    article = make_article("Row refused")
    image = ArticleImage(article=article, image=upload(picture((80, 60))), alt_text="A hand", position=-1)
    with pytest.raises(IntegrityError):
        image.save()  # the database's check refuses a negative position, after both files were written
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []


def test_a_badge_upload_to_an_unwritable_disk_is_refused_and_nothing_is_saved(
    unwritable_media, superuser_client
):
    response = superuser_client.post(
        "/admin/encyclopedia/accreditationnotice/add/", notice_form(upload(picture((200, 200)), "badge.png"))
    )
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert not AccreditationNotice.objects.exists()
