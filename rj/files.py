"""Uploaded files: what is accepted, how images are cleaned, and where files are kept.

The type of a file is read from its content (magic bytes; Pillow for images),
never from its name or the Content-Type the browser sent. Images are decoded and
re-encoded from their pixels alone, so EXIF (phone photos carry GPS positions),
XMP, ICC profiles and text chunks are left behind.

Files live flat in the upload folder (``UPLOAD_FOLDER``, default
``instance/files/``) under a random stored name; the user's file name is kept
only, sanitised, in the database. A save is staged: ``stage`` writes each file
to a temporary name, ``publish`` moves it into place as the last step inside the
database transaction, and ``discard`` removes both names when anything fails, so
no row points at a missing file and no file is left without its row.
"""

import hashlib
import io
import os
import re
import secrets
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

from rj import instance

TYPE_LABELS = {
    "image/jpeg": "JPEG image",
    "image/png": "PNG image",
    "application/pdf": "PDF",
    "text/plain": "Text",
}
EXTENSIONS = {
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "application/pdf": (".pdf",),
    "text/plain": (".txt", ".text", ".log", ".md", ".csv"),
}
# Larger images are refused before decoding: a small file can expand to gigabytes of pixels.
MAX_IMAGE_PIXELS = 60_000_000
# Bytes allowed in plain text besides printable characters: tab, newline, form feed, return.
_TEXT_CONTROLS = {9, 10, 12, 13}
_UNSAFE_NAME_CHARS = re.compile(r'[\x00-\x1f\x7f"*/:<>?\\|]+')


class UploadRefused(Exception):
    """A file that Mend does not accept; the message is shown beside the field."""


@dataclass
class Upload:
    """A checked file, ready to be stored."""

    original_name: str
    content_type: str
    data: bytes
    stored_name: str = ""

    @property
    def size(self):
        return len(self.data)

    @property
    def sha256(self):
        return hashlib.sha256(self.data).hexdigest()


def upload_folder():
    return Path(
        current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "files"
    )


def path_of(stored_name):
    return upload_folder() / stored_name


def human_size(size):
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


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
        raise UploadRefused(
            f"{_shown(storage)} is larger than {human_size(max_bytes)}, the most Mend accepts."
        )
    return data


def _shown(storage):
    """How a refusal names the file: its own name, made safe, or "The file"."""
    name = _UNSAFE_NAME_CHARS.sub("_", re.split(r"[/\\]", storage.filename or "")[-1]).strip()
    return f"“{name[:80]}”" if name else "The file"


def _clean_image(data, content_type, shown):
    """The image re-encoded from its pixels alone, turned upright first (EXIF orientation)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.width * probe.height > MAX_IMAGE_PIXELS:
                    raise UploadRefused(f"{shown} has too many pixels to be stored.")
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                expected = "JPEG" if content_type == "image/jpeg" else "PNG"
                if image.format != expected:
                    raise UploadRefused(f"{shown} could not be read as an image.")
                image = ImageOps.exif_transpose(image)
                image.load()
    except UploadRefused:
        raise
    except (
        OSError,
        SyntaxError,
        ValueError,
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise UploadRefused(f"{shown} could not be read as an image.") from None

    if content_type == "image/jpeg":
        mode = "L" if image.mode in ("1", "L") else "RGB"
    else:
        mode = {"1": "L", "L": "L", "LA": "LA", "I;16": "I;16", "RGB": "RGB"}.get(
            image.mode, "RGBA"
        )
        if mode == "I;16":
            mode = "L"
    pixels = image.convert(mode)
    # A new image from the raw pixels carries no info dict: nothing of the original's
    # metadata can be written back by the encoder.
    clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    if content_type == "image/jpeg":
        clean.save(out, "JPEG", quality=90, optimize=True)
    else:
        clean.save(out, "PNG")  # optimize=True is slow on phone-sized photos
    return out.getvalue()


def check(storage, max_bytes=None, allowed=None):
    """The uploaded file (a werkzeug FileStorage) as an ``Upload``, or ``UploadRefused``."""
    max_bytes = max_bytes or current_app.config["UPLOAD_MAX_BYTES"]
    allowed = allowed or current_app.config["UPLOAD_TYPES"]
    shown = _shown(storage)
    data = _read_limited(storage, max_bytes)
    if not data:
        raise UploadRefused(f"{shown} is empty.")
    content_type = detect_type(data)
    if content_type is None or content_type not in allowed:
        kinds = ", ".join(TYPE_LABELS.get(t, t) for t in allowed)
        raise UploadRefused(f"{shown} is not a file Mend accepts. Accepted: {kinds}.")
    if content_type.startswith("image/"):
        data = _clean_image(data, content_type, shown)
    return Upload(sanitise_name(storage.filename, content_type), content_type, data)


def stage(uploads):
    """Write each upload under a temporary name; gives each its random stored name."""
    instance.private_folder(upload_folder())
    try:
        for upload in uploads:
            upload.stored_name = secrets.token_hex(16)
            fd = instance.create_private_file(_temp(upload))
            with os.fdopen(fd, "wb") as f:
                f.write(upload.data)
                f.flush()
                os.fsync(f.fileno())
    except OSError:
        discard(uploads)
        raise
    return uploads


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


def _temp(upload):
    return upload_folder() / f".tmp-{upload.stored_name}"
