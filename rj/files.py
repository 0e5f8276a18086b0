"""Uploaded files: what is accepted, how images are cleaned, and where files are kept.

The type of a file is read from its content (magic bytes; Pillow for images),
never from its name or the Content-Type the browser sent. Images are decoded and
re-encoded from their pixels alone, so EXIF (phone photos carry GPS positions),
XMP, ICC profiles and text chunks are left behind. An image with more pixels than
``UPLOAD_MAX_PIXELS`` is refused from its header, before anything is decoded: a
small file can declare gigabytes of pixels.

Files live flat in the upload folder (``UPLOAD_FOLDER``, default
``instance/files/``) under a random stored name; the user's file name is kept
only, sanitised, in the database. A save is staged: ``check`` writes each file,
as soon as it is read and cleaned, to a temporary name (``.tmp-<stored name>``),
so a request holds one file's pixels at a time, never the content of all its
files; ``publish`` moves the files into place as the last step inside the
database transaction, and ``discard`` removes both names when anything fails, so
no row points at a missing file and no file is left without its row.
``staging()`` removes whatever a request staged but did not publish, and
``remove_stale_staged`` what a process stopped mid-upload left behind.
"""

import hashlib
import io
import os
import re
import secrets
import time
import unicodedata
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from PIL import Image, ImageOps, JpegImagePlugin, PngImagePlugin, UnidentifiedImageError

from rj import instance
from rj.refusals import Refused

TYPE_LABELS = {
    "image/jpeg": _l("JPEG image"),
    "image/png": _l("PNG image"),
    "application/pdf": _l("PDF"),
    "text/plain": _l("Text"),
}
EXTENSIONS = {
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "application/pdf": (".pdf",),
    "text/plain": (".txt", ".text", ".log", ".md", ".csv"),
}
# Pillow's name of each image type, and its reader of the header alone.
IMAGE_FORMATS = {
    "image/jpeg": ("JPEG", JpegImagePlugin.JpegImageFile),
    "image/png": ("PNG", PngImagePlugin.PngImageFile),
}
STAGED_PREFIX = ".tmp-"
REMOVED_AT_START = "mend.staged_uploads_removed_at_start"  # a key of app.extensions
# A younger staged file may be another worker's upload in progress.
STAGED_MAX_AGE_SECONDS = 3600
# Bytes allowed in plain text besides printable characters: tab, newline, form feed, return.
_TEXT_CONTROLS = {9, 10, 12, 13}
_UNSAFE_NAME_CHARS = re.compile(r'[\x00-\x1f\x7f"*/:<>?\\|]+')
_UNREADABLE = (
    OSError,
    SyntaxError,
    ValueError,
    UnidentifiedImageError,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
)


def _refused(message):
    return Refused(message, "files")


@dataclass
class Upload:
    """A checked file, staged under a temporary name until it is published."""

    original_name: str
    content_type: str
    stored_name: str
    size: int = 0
    sha256: str = ""


def init_app(app):
    """Keep Pillow's own decompression-bomb guard at the upload limit (it warns above it and
    refuses above twice it, wherever Pillow decodes), and remove staged files left behind."""
    Image.MAX_IMAGE_PIXELS = int(app.config["UPLOAD_MAX_PIXELS"])
    folder = upload_folder(app)
    try:
        removed = remove_stale_staged(folder)
    except FileNotFoundError:
        removed = 0  # nothing was ever uploaded
    except OSError as exc:
        app.logger.warning("Could not look for staged uploads left in %s: %s", folder, exc)
        removed = 0
    if removed:
        app.logger.info("Removed %d staged upload(s) left in %s.", removed, folder)
    app.extensions[REMOVED_AT_START] = removed


def upload_folder(app=None):
    app = app or current_app
    return Path(app.config.get("UPLOAD_FOLDER") or Path(app.instance_path) / "files")


def path_of(stored_name):
    return upload_folder() / stored_name


def human_size(size):
    if size < 1024:
        # One form in English ("1 bytes", as ever); a language may have more.
        return ngettext("%(num)s bytes", "%(num)s bytes", size)
    if size < 1024 * 1024:
        kilobytes = f"{size / 1024:.0f}"
        return _("%(size)s KB", size=kilobytes)
    megabytes = f"{size / (1024 * 1024):.1f}".removesuffix(".0")
    return _("%(size)s MB", size=megabytes)


def _megapixels(pixels, decimals=1, up=False):
    """``pixels`` in megapixels, to at most ``decimals`` places (rounded up when ``up``)."""
    unit = 10 ** (6 - decimals)
    units = -(-pixels // unit) if up else round(pixels / unit)
    return f"{units / 10**decimals:.{decimals}f}".rstrip("0").rstrip(".")


def _pixels_refusal(shown, pixels, limit):
    """The refusal of an image above the limit. The image's figure is rounded up, with as
    many places as the limit needs, so that it never reads as the limit itself."""
    decimals = 1
    while decimals < 6 and _megapixels(limit, decimals) != _megapixels(limit, 6):
        decimals += 1
    return _(
        "%(file)s is %(pixels)s megapixels; Mend takes images up to %(limit)s megapixels.",
        file=shown,
        pixels=_megapixels(pixels, decimals, up=True),
        limit=_megapixels(limit, decimals),
    )


def detect_type(data):
    """The content type of ``data`` from its first bytes, or None when it is none we take."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if _is_plain_text(data):
        return "text/plain"
    return None


def _is_plain_text(data):
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(ord(ch) < 32 and ord(ch) not in _TEXT_CONTROLS for ch in text)


def sanitise_name(name, content_type):
    """A display name safe for a header and a download: no path, no control characters,
    and an extension that matches what the file really is."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = _UNSAFE_NAME_CHARS.sub("_", name)
    name = " ".join(name.split()).strip(" .")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    allowed = EXTENSIONS[content_type]
    if f".{ext.lower()}" not in allowed:
        stem = name
        ext = allowed[0].lstrip(".")
    stem = (stem or "file")[:200]
    return f"{stem}.{ext}"


def _read_limited(storage, max_bytes):
    data = storage.stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _refused(
            _(
                "%(file)s is larger than %(size)s, the most Mend accepts.",
                file=_shown(storage),
                size=human_size(max_bytes),
            )
        )
    return data


def _shown(storage):
    """How a refusal names the file: its own name, made safe, or "The file"."""
    name = _UNSAFE_NAME_CHARS.sub("_", re.split(r"[/\\]", storage.filename or "")[-1]).strip()
    return _("“%(name)s”", name=name[:80]) if name else _("The file")


def _check_pixels(data, content_type, shown, max_pixels):
    """Refuse an image with more than ``max_pixels`` from its header alone: the size is read
    before Pillow's ``Image.open``, whose own guard would refuse without saying why."""
    header_reader = IMAGE_FORMATS[content_type][1]
    try:
        with header_reader(io.BytesIO(data)) as header:
            width, height = header.size
    except _UNREADABLE:
        raise _refused(_("%(file)s could not be read as an image.", file=shown)) from None
    if width * height > max_pixels:
        raise _refused(_pixels_refusal(shown, width * height, max_pixels))


def _mode_for(content_type, mode):
    """The mode an image is stored in: the fewest channels that keep what it shows."""
    if content_type == "image/jpeg":
        return "L" if mode in ("1", "L") else "RGB"
    return {"1": "L", "L": "L", "I;16": "L", "LA": "LA", "RGB": "RGB"}.get(mode, "RGBA")


def _from_pixels(image, content_type):
    """A new image holding only the pixels of ``image``, turned upright (EXIF orientation).

    At most two full-size images exist at any moment, and ``image`` is released."""
    image.load()
    ImageOps.exif_transpose(image, in_place=True)  # no copy when it is already upright
    mode = _mode_for(content_type, image.mode)
    if image.mode != mode:
        converted = image.convert(mode)
        image.close()
        image = converted
    # A new image carries no info dict: nothing of the original's metadata can be
    # written back by the encoder.
    clean = Image.new(mode, image.size)
    clean.paste(image)
    image.close()
    return clean


def _write_clean_image(data, content_type, shown, out):
    """Write the image, re-encoded from its pixels alone, to the file object ``out``."""
    format_name = IMAGE_FORMATS[content_type][0]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[format_name]) as probe:
                probe.verify()
            image = Image.open(io.BytesIO(data), formats=[format_name])
            try:
                if image.format != format_name:
                    raise _refused(_("%(file)s could not be read as an image.", file=shown))
                clean = _from_pixels(image, content_type)
            finally:
                image.close()
    except Refused:
        raise
    except _UNREADABLE:
        raise _refused(_("%(file)s could not be read as an image.", file=shown)) from None
    try:
        if content_type == "image/jpeg":
            clean.save(out, "JPEG", quality=90, optimize=True)
        else:
            clean.save(out, "PNG")  # optimize=True is slow on phone-sized photos
    finally:
        clean.close()


class _Digesting:
    """A file object that counts and hashes what is written through it. It has no
    ``fileno``, so Pillow's encoders write through ``write`` too."""

    def __init__(self, file):
        self.file = file
        self.size = 0
        self.hash = hashlib.sha256()

    def write(self, data):
        self.file.write(data)
        self.size += len(data)
        self.hash.update(data)
        return len(data)

    def flush(self):
        self.file.flush()


def check(storage, max_bytes=None, allowed=None):
    """Check the uploaded file (a werkzeug FileStorage) and stage what Mend keeps of it.

    Returns an ``Upload`` whose content (an image re-encoded from its pixels) is already
    written under a temporary name in the upload folder, with its size and SHA-256: publish
    it with its row (``publish``) or remove it (``discard``, or leave it to ``staging()``).
    A file Mend does not take raises ``Refused`` (beside the files field) and leaves nothing behind.
    """
    config = current_app.config
    max_bytes = max_bytes or config["UPLOAD_MAX_BYTES"]
    allowed = allowed or config["UPLOAD_TYPES"]
    shown = _shown(storage)
    data = _read_limited(storage, max_bytes)
    if not data:
        raise _refused(_("%(file)s is empty.", file=shown))
    content_type = detect_type(data)
    if content_type is None or content_type not in allowed:
        kinds = ", ".join(str(TYPE_LABELS.get(t, t)) for t in allowed)
        raise _refused(
            _("%(file)s is not a file Mend accepts. Accepted: %(kinds)s.", file=shown, kinds=kinds)
        )
    image = content_type in IMAGE_FORMATS
    if image:
        _check_pixels(data, content_type, shown, int(config["UPLOAD_MAX_PIXELS"]))

    upload = Upload(
        sanitise_name(storage.filename, content_type), content_type, secrets.token_hex(16)
    )
    instance.private_folder(upload_folder())
    temp = _temp(upload)
    fd = instance.create_private_file(temp)
    try:
        with os.fdopen(fd, "wb") as f:
            out = _Digesting(f)
            if image:
                _write_clean_image(data, content_type, shown, out)
            else:
                out.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    upload.size, upload.sha256 = out.size, out.hash.hexdigest()
    return upload


@contextmanager
def staging():
    """A list for the uploads of one write; whatever of them is still staged when the block
    ends (a refusal, an error) is removed. Published files are never touched."""
    uploads = []
    try:
        yield uploads
    finally:
        for upload in uploads:
            try:
                _temp(upload).unlink(missing_ok=True)
            except OSError:
                current_app.logger.exception("Could not remove staged file %s", _temp(upload))


def publish(uploads):
    """Move staged uploads to their stored names (last step of the write transaction)."""
    for upload in uploads:
        os.replace(_temp(upload), path_of(upload.stored_name))


def discard(uploads):
    """Remove staged or published files of a write that failed."""
    for upload in uploads:
        if upload.stored_name:
            for path in (_temp(upload), path_of(upload.stored_name)):
                path.unlink(missing_ok=True)


def delete(stored_names):
    """Remove stored files (a redaction); a file already gone is not an error."""
    for name in stored_names:
        try:
            path_of(name).unlink(missing_ok=True)
        except OSError:
            current_app.logger.exception("Could not delete stored file %s", name)


def remove_stale_staged(folder=None, max_age=STAGED_MAX_AGE_SECONDS):
    """Remove staged files (``.tmp-*``) last written more than ``max_age`` seconds ago: left by
    a process stopped mid-upload, they will never be published. Stored files are never
    touched. Returns how many were removed; raises ``OSError`` when the folder cannot be read.
    """
    folder = folder or upload_folder()
    cutoff = time.time() - max_age
    removed = 0
    with os.scandir(folder) as found:
        for entry in found:
            if not entry.name.startswith(STAGED_PREFIX):
                continue
            try:
                if (
                    entry.is_file(follow_symlinks=False)
                    and entry.stat(follow_symlinks=False).st_mtime < cutoff
                ):
                    os.unlink(entry.path)
                    removed += 1
            except FileNotFoundError:
                pass  # published or removed by another process meanwhile
    return removed


def _temp(upload):
    return upload_folder() / f"{STAGED_PREFIX}{upload.stored_name}"
