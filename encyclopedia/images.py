"""Article images: checking an upload, and making its display version and thumbnail with Pillow.

An upload is accepted only when Pillow decodes it, completely, as a JPEG, PNG, WebP or GIF
within the size and pixel limits below; the file name and the browser's content type are
never trusted. What is stored is not the upload but two new files that Pillow encodes from
its pixels (turned upright, in sRGB, scaled to fit a box, aspect ratio kept), so no
metadata (EXIF with camera or GPS data, comments, XMP, text chunks) and nothing but
image data reaches the public site. Animated images keep their first frame.

This module knows nothing of the models: ``encyclopedia.models.ArticleImage`` and the
accreditation notice's badge (``AccreditationNotice``) call it. The models import it, so Pillow
is imported only by the functions that read or write pixels: the public pages never do, and
loading it in every worker cost about 3 MB of its memory (issue #15).
"""

from __future__ import annotations

import contextlib
import io
import warnings
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

if TYPE_CHECKING:
    from PIL import Image

# The formats accepted, by Pillow's name for them. Never SVG: it is a document that can
# carry scripts, and Pillow does not read it anyway.
ACCEPTED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "GIF": "GIF"}
ACCEPT_ATTRIBUTE = "image/jpeg,image/png,image/webp,image/gif"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_SIDE = 6000  # pixels, each way: also the decompression-bomb guard (at most 36 megapixels)
DISPLAY_BOX = (1200, 1600)  # the image page: at most 1200 px wide (and 1600 px high)
THUMBNAIL_BOX = (300, 400)  # the article page: at most 300 px wide (and 400 px high)
BADGE_BOX = (288, 288)  # an accreditation badge, shown at 72 × 72 in every page's footer: 4x density
JPEG_QUALITY = 85
WEBP_QUALITY = 85

UPLOAD_HELP = (
    "A JPEG, PNG, WebP or GIF image (not SVG), at most 5 MB and 6000 × 6000 pixels. "
    "It is scaled to at most 1200 pixels wide, with a 300-pixel thumbnail; "
    "its metadata (camera, location) is removed."
)
BADGE_HELP = (
    "A JPEG, PNG, WebP or GIF image (not SVG), at most 5 MB and 6000 × 6000 pixels. "
    "It is scaled to fit 288 × 288 pixels and its metadata is removed: it is shown on every page."
)
ALT_TEXT_HELP = (
    "Required. What the image shows, for readers who cannot see it (screen readers, "
    "images turned off); shown on the image page too."
)
ALT_TEXT_REQUIRED = "Every image needs alt text: describe what it shows, for readers who cannot see it."

_ACCEPTED_NAMES = "a JPEG, PNG, WebP or GIF image"
_OUTPUT = {"JPEG": ("JPEG", "jpg"), "WEBP": ("WEBP", "webp"), "PNG": ("PNG", "png"), "GIF": ("PNG", "png")}


@dataclass(frozen=True)
class Rendition:
    """One encoded file: its bytes, pixel size and file extension."""

    content: bytes
    width: int
    height: int
    extension: str


@dataclass(frozen=True)
class PreparedImage:
    display: Rendition
    thumbnail: Rendition


def check_upload(file: Any) -> None:
    """Refuse anything but a complete JPEG, PNG, WebP or GIF within the limits.

    A validator for the model's file field. A file already stored (an image saved
    earlier, made by ``prepare``) is not checked again.
    """
    if getattr(file, "_committed", False):
        return
    _decode(_read(file)).close()


def prepare(file: IO[bytes] | Any) -> PreparedImage:
    """Check ``file`` and make its display version and thumbnail, free of metadata."""
    image, output_format, extension = _checked_pixels(file)
    display = _fit(image, DISPLAY_BOX)
    thumbnail = _fit(display, THUMBNAIL_BOX)
    return PreparedImage(
        display=_encode(display, output_format, extension),
        thumbnail=_encode(thumbnail, output_format, extension),
    )


def prepare_badge(file: IO[bytes] | Any) -> Rendition:
    """Check ``file`` as an article image is checked and make the badge every page shows:
    within ``BADGE_BOX``, encoded afresh from its pixels (no comment or metadata survives)."""
    image, output_format, extension = _checked_pixels(file)
    return _encode(_fit(image, BADGE_BOX), output_format, extension)


def _checked_pixels(file: Any) -> tuple[Image.Image, str, str]:
    """The upright sRGB pixels of an accepted upload, with the format and extension to store it in."""
    source = _decode(_read(file))
    try:
        output_format, extension = _OUTPUT[source.format]
        return _upright_srgb(source), output_format, extension
    finally:
        source.close()


def _read(file: Any) -> bytes:
    size = getattr(file, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise _too_large(size)
    if hasattr(file, "open") and getattr(file, "closed", False):
        file.open("rb")
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(MAX_UPLOAD_BYTES + 1)
    if hasattr(file, "seek"):
        file.seek(0)
    if len(data) > MAX_UPLOAD_BYTES:
        raise _too_large(size or len(data))
    if not data:
        raise ValidationError(
            "The file is empty: upload %(accepted)s.", code="empty", params={"accepted": _ACCEPTED_NAMES}
        )
    return data


def _too_large(size: int) -> ValidationError:
    return ValidationError(
        "The file is %(size).1f MB; the limit is %(limit)d MB. Export a smaller version of the image.",
        code="file_too_large",
        params={"size": size / 1024 / 1024, "limit": MAX_UPLOAD_BYTES // 1024 // 1024},
    )


def _too_many_pixels(size: tuple[int, int] | None) -> ValidationError:
    found = f" is {size[0]} × {size[1]} pixels" if size else " has too many pixels"
    return ValidationError(
        "The image%(found)s; the limit is %(side)d × %(side)d pixels. Scale it down and upload it again.",
        code="too_many_pixels",
        params={"found": found, "side": MAX_SIDE},
    )


def _not_accepted(data: bytes) -> ValidationError:
    head = data[:1024].lstrip().lower()
    if b"<svg" in head or (head.startswith(b"<?xml") and b"svg" in data[:4096].lower()):
        return ValidationError(
            "SVG files are not accepted (they can carry scripts): upload %(accepted)s.",
            code="svg",
            params={"accepted": _ACCEPTED_NAMES},
        )
    found = _other_format(data)
    if found:
        return ValidationError(
            "%(found)s images are not accepted: upload %(accepted)s.",
            code="format",
            params={"found": found, "accepted": _ACCEPTED_NAMES},
        )
    return ValidationError(
        "This file is not an image, whatever its name says: upload %(accepted)s.",
        code="not_an_image",
        params={"accepted": _ACCEPTED_NAMES},
    )


def _other_format(data: bytes) -> str:
    """The name of another image format Pillow recognizes in ``data`` (header only), if any."""
    from PIL import Image  # only for an upload: see the module's docstring

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as other:
                return other.format or ""
    except Exception:  # noqa: BLE001 - only used to word the refusal
        return ""


def _damaged() -> ValidationError:
    return ValidationError(
        "The image is damaged or incomplete (truncated): export it again and upload the new file.",
        code="damaged",
    )


def _open(data: bytes) -> Image.Image:
    """Open ``data`` as an accepted format, reading the header only, with the pixel limit checked."""
    from PIL import Image, UnidentifiedImageError  # only for an upload: see the module's docstring

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # refused below, with its size
        try:
            image = Image.open(io.BytesIO(data), formats=list(ACCEPTED_FORMATS))
        except Image.DecompressionBombError:  # far too many: Pillow refuses before saying how many
            raise _too_many_pixels(None) from None
        except UnidentifiedImageError:
            raise _not_accepted(data) from None
        except (OSError, SyntaxError, ValueError, EOFError):
            raise _damaged() from None
    width, height = image.size
    if width > MAX_SIDE or height > MAX_SIDE:
        image.close()
        raise _too_many_pixels((width, height))
    if width < 1 or height < 1:
        image.close()
        raise _damaged()
    return image


def _decode(data: bytes) -> Image.Image:
    """The image in ``data``, fully decoded (first frame); refusals name the problem."""
    try:
        with _open(data) as probe:
            probe.verify()  # structure and checksums (PNG), before decoding any pixels
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for a broken file
        raise _damaged() from None
    image = _open(data)
    try:
        image.load()  # every pixel of the first frame: a truncated file fails here
    except Exception:  # noqa: BLE001
        image.close()
        raise _damaged() from None
    return image


def _upright_srgb(image: Image.Image) -> Image.Image:
    """A copy of ``image`` turned as its EXIF orientation says, in sRGB, in an encodable mode."""
    from PIL import ImageCms, ImageOps  # only for an upload: see the module's docstring

    upright = ImageOps.exif_transpose(image) or image
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
    icc = image.info.get("icc_profile")
    if icc and upright.mode in ("RGB", "RGBA", "CMYK"):
        with contextlib.suppress(ImageCms.PyCMSError, OSError, ValueError):  # unreadable: keep the pixels
            upright = ImageCms.profileToProfile(
                upright,
                ImageCms.ImageCmsProfile(io.BytesIO(icc)),
                ImageCms.createProfile("sRGB"),
                outputMode="RGBA" if upright.mode == "RGBA" else "RGB",
            )
    if upright.mode not in ("RGB", "RGBA", "L", "LA"):
        upright = upright.convert("RGBA" if has_alpha else "RGB")
    if image.format == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    return upright


def _fit(image: Image.Image, box: tuple[int, int]) -> Image.Image:
    """``image`` scaled down to fit ``box``, aspect ratio kept; never scaled up."""
    from PIL import Image  # only for an upload: see the module's docstring

    width, height = image.size
    scale = min(box[0] / width, box[1] / height, 1.0)
    if scale >= 1.0:
        return image
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _encode(image: Image.Image, output_format: str, extension: str) -> Rendition:
    """``image`` encoded afresh from its pixels alone: no metadata is carried over."""
    from PIL import Image  # only for an upload: see the module's docstring

    clean = Image.frombytes(image.mode, image.size, image.tobytes())
    out = io.BytesIO()
    if output_format == "JPEG":
        clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    elif output_format == "WEBP":
        clean.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
    else:
        clean.save(out, "PNG", optimize=True)
    return Rendition(content=out.getvalue(), width=clean.width, height=clean.height, extension=extension)
