"""Article images: upload checks, resizing, the admin inline, publication and the image page."""

from __future__ import annotations

import io

import pytest
import reversion
from django.core.exceptions import ValidationError
from PIL import Image, ImageChops, PngImagePlugin
from reversion.models import Version

from encyclopedia import images
from encyclopedia.models import ArticleImage
from encyclopedia.snapshot import is_current
from tests.conftest import attribute_values, executable_scripts, page_text
from tests.factories import add_image, form_data, picture, png_header_only, upload

pytestmark = pytest.mark.django_db

SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(1)</script><rect width='10' height='10'/></svg>"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def opened(field_file) -> Image.Image:
    with field_file.open("rb") as f:
        image = Image.open(io.BytesIO(f.read()))
        image.load()
    return image


def refusal(data: bytes, name: str = "photo.png") -> str:
    with pytest.raises(ValidationError) as caught:
        images.check_upload(upload(data, name))
    return " ".join(caught.value.messages)


# ---------------------------------------------------------------- resizing


def test_a_png_is_resized_to_a_display_version_and_a_thumbnail(make_article, media):
    image = add_image(make_article("Hand spasm"), picture((2400, 1600)))
    display, thumbnail = opened(image.image), opened(image.thumbnail)
    assert (display.format, display.size) == ("PNG", (1200, 800))
    assert (thumbnail.format, thumbnail.size) == ("PNG", (300, 200))
    assert (image.width, image.height, image.thumb_width, image.thumb_height) == (1200, 800, 300, 200)
    article_id = image.article.public_id
    assert image.image.name.startswith(f"images/{article_id}/") and image.image.name.endswith(".png")
    assert image.thumbnail.name.endswith("-thumb.png")
    assert "photo" not in image.image.name, "the uploader's file name is not kept"
    assert sorted(p.name for p in (media / "images" / article_id).iterdir()) == sorted(
        [image.image.name.rsplit("/", 1)[1], image.thumbnail.name.rsplit("/", 1)[1]]
    ), "the upload itself is not stored"


def test_a_jpeg_loses_its_metadata_and_is_turned_upright(make_article):
    exif = Image.Exif()
    exif[0x013B] = "Dr. Private Person"  # Artist
    exif[0x010F] = "Example Camera Co."  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPS
    data = picture((1600, 800), "JPEG", exif=exif.tobytes(), comment=b"patient 4711")
    assert b"Private Person" in data and b"patient 4711" in data
    image = add_image(make_article("Photo"), data, name="IMG_0001.JPG")
    for version in (image.image, image.thumbnail):
        stored = opened(version)
        assert stored.format == "JPEG"
        assert not stored.getexif()
        assert "exif" not in stored.info and "comment" not in stored.info
        with version.open("rb") as f:
            raw = f.read()
        assert b"Private Person" not in raw and b"patient 4711" not in raw and b"Example Camera" not in raw
    assert opened(image.image).size == (800, 1600), "portrait, as the camera held it"
    assert opened(image.thumbnail).size == (200, 400)


def test_png_text_chunks_are_dropped_and_small_images_are_not_enlarged(make_article):
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Dr. Private Person")
    image = add_image(make_article("Small"), picture((200, 100), pnginfo=info))
    display = opened(image.image)
    assert display.size == (200, 100)
    assert opened(image.thumbnail).size == (200, 100)
    assert "Author" not in display.info


def test_the_aspect_ratio_is_kept_for_tall_images(make_article):
    image = add_image(make_article("Tall"), picture((900, 3000)))
    width, height = opened(image.image).size
    assert height == 1600 and abs(width / height - 900 / 3000) < 0.01
    thumb_width, thumb_height = opened(image.thumbnail).size
    assert thumb_height == 400 and abs(thumb_width / thumb_height - 900 / 3000) < 0.01


def test_webp_and_gif_are_accepted_and_transparency_is_kept(make_article):
    article = make_article("Formats")
    webp = add_image(article, picture((1500, 1000), "WEBP"), name="a.webp")
    assert opened(webp.image).format == "WEBP" and opened(webp.image).size == (1200, 800)
    drawing = Image.new("P", (600, 400), 0)
    drawing.putpalette([255, 255, 255, 200, 0, 0])
    drawing.paste(1, (100, 100, 300, 300))
    out = io.BytesIO()
    drawing.save(out, "GIF", transparency=0)
    gif = add_image(article, out.getvalue(), name="a.gif")
    stored = opened(gif.image)
    assert stored.format == "PNG" and stored.mode == "RGBA"
    assert stored.getpixel((0, 0))[3] == 0 and stored.getpixel((200, 200))[3] == 255


def test_the_display_version_shows_the_same_picture(make_article):
    original = Image.new("RGB", (400, 200), (255, 255, 255))
    original.paste((0, 0, 255), (0, 0, 200, 200))
    out = io.BytesIO()
    original.save(out, "PNG")
    stored = opened(add_image(make_article("Same"), out.getvalue()).image).convert("RGB")
    assert ImageChops.difference(stored, original).getbbox() is None


# ---------------------------------------------------------------- refusals


def test_svg_is_refused_whatever_its_name():
    assert "SVG files are not accepted" in refusal(SVG, "drawing.svg")
    assert "SVG files are not accepted" in refusal(SVG, "drawing.png")


def test_a_text_file_renamed_png_is_refused():
    message = refusal(b"Notes for the article, not a picture.\n" * 20, "notes.png")
    assert "This file is not an image" in message
    assert "JPEG, PNG, WebP or GIF" in message


def test_other_image_formats_are_refused_by_name():
    out = io.BytesIO()
    Image.new("RGB", (20, 20)).save(out, "TIFF")
    assert "TIFF images are not accepted" in refusal(out.getvalue(), "scan.png")


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_truncated_image_is_refused(fmt):
    data = picture((600, 400), fmt, noisy=True)
    message = refusal(data[: len(data) // 2], f"cut.{fmt.lower()}")
    assert "damaged or incomplete (truncated)" in message


def test_a_file_over_5_mb_is_refused():
    data = picture((100, 100))
    data += b"\0" * (images.MAX_UPLOAD_BYTES + 1 - len(data))
    message = refusal(data)
    assert "the limit is 5 MB" in message


def test_an_empty_file_is_refused():
    assert "The file is empty" in refusal(b"")


def test_too_many_pixels_are_refused():
    out = io.BytesIO()
    Image.new("1", (6001, 40)).save(out, "PNG")
    assert "is 6001 × 40 pixels; the limit is 6000 × 6000 pixels" in refusal(out.getvalue())


def test_a_decompression_bomb_is_refused_before_decoding():
    message = refusal(png_header_only(100_000, 100_000))
    assert "the limit is 6000 × 6000 pixels" in message
    message = refusal(png_header_only(12_000, 12_000))
    assert "is 12000 × 12000 pixels; the limit is 6000 × 6000 pixels" in message


def test_missing_alt_text_is_refused(make_article):
    article = make_article("No alt")
    for alt in ("", "   "):
        image = ArticleImage(article=article, image=upload(picture((50, 50))), alt_text=alt)
        with pytest.raises(ValidationError) as caught:
            image.full_clean()
        assert images.ALT_TEXT_REQUIRED in caught.value.message_dict["alt_text"]
        with pytest.raises(ValidationError):
            image.save()
    assert not ArticleImage.objects.exists()


def test_a_refused_upload_is_not_saved_even_without_full_clean(make_article, media):
    image = ArticleImage(article=make_article("Direct"), image=upload(SVG, "x.png"), alt_text="x")
    with pytest.raises(ValidationError, match="SVG"):
        image.save()
    assert not ArticleImage.objects.exists()
    assert not (media / "images").exists()


# ---------------------------------------------------------------- admin


def inline_post(client, article, data: bytes, name: str = "spasm.png", **fields) -> dict:
    post = form_data(client, article)
    assert post["loaded_at"], "the stale-form check needs the time the form was opened"
    assert post["images-TOTAL_FORMS"] == 0
    post.update(
        {
            "images-TOTAL_FORMS": "1",
            "images-0-image": upload(data, name),
            "images-0-alt_text": "A hand with the fingers bent",
            "images-0-caption": "Hand spasm",
            "images-0-position": "1",
        }
    )
    post.update(fields)
    return post


def test_the_admin_inline_uploads_and_resizes_an_image(superuser_client, make_article):
    article = make_article("Admin upload")
    url = f"/admin/encyclopedia/article/{article.pk}/change/"
    form = superuser_client.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in form
    assert 'accept="image/jpeg,image/png,image/webp,image/gif"' in form
    response = superuser_client.post(url, inline_post(superuser_client, article, picture((3000, 2000))))
    assert response.status_code == 302, response.context and response.context["errors"]
    image = article.images.get()
    assert (image.alt_text, image.caption, image.position) == (
        "A hand with the fingers bent",
        "Hand spasm",
        1,
    )
    assert opened(image.image).size == (1200, 800)
    assert opened(image.thumbnail).size == (300, 200)
    version = Version.objects.get_for_object(image).get()
    assert Version.objects.get_for_object(article).first().revision == version.revision
    # The form opens again with the thumbnail, and saves unchanged without a new upload.
    html = superuser_client.get(url).content.decode()
    assert image.thumbnail.url in html
    post = form_data(superuser_client, article)
    post.pop("images-0-image")  # a browser posts no file when none is chosen
    assert superuser_client.post(url, post).status_code == 302
    image.refresh_from_db()
    assert opened(image.image).size == (1200, 800)


@pytest.mark.parametrize(
    ("data", "name", "fields", "message"),
    [
        (SVG, "drawing.svg", {}, "SVG files are not accepted"),
        (b"plain text", "notes.png", {}, "This file is not an image"),
        (None, "spasm.png", {"images-0-alt_text": "  "}, images.ALT_TEXT_REQUIRED),
    ],
)
def test_the_admin_inline_refuses_bad_uploads_with_a_message(
    superuser_client, make_article, data, name, fields, message
):
    article = make_article("Admin refusal")
    url = f"/admin/encyclopedia/article/{article.pk}/change/"
    post = inline_post(
        superuser_client, article, data if data is not None else picture((50, 50)), name, **fields
    )
    response = superuser_client.post(url, post)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ArticleImage.objects.exists()


# ---------------------------------------------------------------- publication and public pages


def image_page_url(image) -> str:
    return f"/ency/imagepages/{image.pk:06d}.htm"


def test_a_draft_image_is_public_only_once_published(client, make_article, publish_article):
    article = publish_article(make_article("Spasm"))
    image = add_image(article, caption="Hand spasm")
    assert not is_current(article), "an added image is a change to publish"
    html = client.get(article.get_absolute_url()).content.decode()
    assert image.thumbnail.url not in html and "Hand spasm" not in html
    assert client.get(image_page_url(image)).status_code == 404
    publish_article(article)
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'<a href="{image_page_url(image)}"><img src="{image.thumbnail.url}"' in html
    assert 'alt="A hand with the fingers bent" width="300" height="200"' in html
    assert "Hand spasm" in page_text(html)
    assert client.get(image_page_url(image)).status_code == 200
    assert article.live_publication.images == [
        {
            "id": image.pk,
            "url": image.image.url,
            "thumb_url": image.thumbnail.url,
            "width": 1200,
            "height": 800,
            "thumb_width": 300,
            "thumb_height": 200,
            "alt": "A hand with the fingers bent",
            "caption": "Hand spasm",
        }
    ]


def test_draft_changes_to_a_live_image_stay_off_the_public_pages(client, make_article, publish_article):
    article = make_article("Live image")
    first = add_image(article, caption="Live caption", position=1)
    second = add_image(article, caption="Second caption", position=2)
    publish_article(article)
    first.caption = "Unapproved caption"
    first.save()
    second_url = image_page_url(second)
    second.delete()  # deleted from the draft: still live until the update is published
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Live caption" in html and "Second caption" in html and "Unapproved" not in html
    page = client.get(second_url)
    assert page.status_code == 200 and "Second caption" in page.content.decode()
    publish_article(article)
    assert client.get(second_url).status_code == 404
    assert "Unapproved caption" in client.get(image_page_url(first)).content.decode()


def test_the_image_page_shows_image_caption_alt_text_and_the_way_back(client, make_article, publish_article):
    article = make_article("Hand or foot spasms")
    add_image(article, caption="First", position=1)
    image = add_image(article, alt="Fingers bent at the knuckles", caption="Hand spasm", position=2)
    publish_article(article)
    response = client.get(image_page_url(image))
    assert response.status_code == 200
    html = response.content.decode()
    text = page_text(html)
    assert (
        f'<img src="{image.image.url}" alt="Fingers bent at the knuckles" width="1200" height="800">' in html
    )
    assert "<figcaption>Hand spasm</figcaption>" in html
    assert "Image description Fingers bent at the knuckles" in text
    assert "Hand or foot spasms: image 2 of 2" in text
    assert f'<a href="{article.get_absolute_url()}">Back to the article: Hand or foot spasms</a>' in html
    assert 'aria-label="Breadcrumb"' in html and '<html lang="en">' in html
    assert executable_scripts(html) == []


@pytest.mark.parametrize("path", ["999999.htm", "1234.htm", "0001234.htm", "abcdef.htm", "001234.html"])
def test_unknown_image_ids_are_404(client, path):
    assert client.get(f"/ency/imagepages/{path}").status_code == 404


def test_images_of_unpublished_or_withdrawn_articles_are_404(
    client, superuser_client, make_article, publish_article
):
    from django.contrib.auth.models import User

    from editorial.actions.withdraw import withdraw

    never = add_image(make_article("Never published"))
    assert client.get(image_page_url(never)).status_code == 404
    article = make_article("Withdrawn later")
    image = add_image(article)
    publish_article(article)
    assert client.get(image_page_url(image)).status_code == 200
    withdraw(article, User.objects.get(username="superboss"), reason="Outdated")
    assert client.get(image_page_url(image)).status_code == 404


def test_hostile_captions_and_alt_text_are_escaped(client, make_article, publish_article):
    article = make_article("Hostile")
    image = add_image(
        article,
        alt='" onerror="alert(1)',
        caption="<script>alert('caption')</script><b>bold</b>",
    )
    publish_article(article)
    for url in (article.get_absolute_url(), image_page_url(image)):
        html = client.get(url).content.decode()
        assert executable_scripts(html) == [] and "<b>bold</b>" not in html
        assert "<script>alert('caption')</script>" in page_text(html)
        assert '" onerror="alert(1)' in attribute_values(html, "img", "alt")
        assert 'onerror="alert' not in html


def test_images_cost_the_article_page_no_query(
    client, make_article, publish_article, django_assert_max_num_queries
):
    article = make_article("Many images")
    for position in range(5):
        add_image(article, picture((400, 300)), position=position, caption=f"Picture {position}")
    publish_article(article)
    # At most 8 queries, none of them for the images (they are frozen with the publication): the
    # article's state, which linked articles are live, which articles link here, the site data
    # (notices, policy pages), storing the page (a savepoint around one update).
    with django_assert_max_num_queries(8):
        html = client.get(article.get_absolute_url()).content.decode()
    assert html.count('loading="lazy"') == 5
    # Viewed again: at most 2 queries, still none per image.
    with django_assert_max_num_queries(2):
        assert client.get(article.get_absolute_url()).status_code == 200


def test_images_are_in_the_preview_and_in_versions(superuser_client, make_article):
    article = make_article("Preview")
    with reversion.create_revision():
        image = add_image(article, caption="Draft picture")
        article.save()
    html = superuser_client.get(f"/admin/encyclopedia/article/{article.pk}/preview/").content.decode()
    assert "Draft picture" in html
    assert f'<a href="{image.image.url}">' in html, "a preview links to the file, the image page is not live"
    assert Version.objects.get_for_object(image).count() == 1
