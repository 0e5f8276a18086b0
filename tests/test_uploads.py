"""Uploads: the pixel limit read from an image's header, one file at a time through its
staged file, metadata left behind, and staged files left by a process that stopped."""

import hashlib
import io
import logging
import os
import struct
import time
import zlib

import pytest
from PIL import ExifTags, Image, ImageFile, PngImagePlugin
from werkzeug.datastructures import FileStorage

from rj import files
from rj.models import Entry, EntryFile
from tests.helpers import make_app, make_case
from tests.test_entries import PDF, evidence, stored_files


@pytest.fixture
def fac(app, login_as):
    return login_as("facilitator")


@pytest.fixture
def case(fac):
    return make_case("investigating", by=fac)


def _chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def grey_png(width, height, level=0):
    """A valid greyscale PNG of one shade, compressed row by row: megapixels for kilobytes,
    without ever holding the pixels."""
    compressor = zlib.compressobj(9)
    row = b"\x00" + bytes([level]) * width  # filter type 0, then the pixels
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", header),
            _chunk(b"IDAT", idat),
            _chunk(b"IEND", b""),
        ]
    )


def small_image(n, format_name):
    out = io.BytesIO()
    Image.new("RGB", (20 + n, 10), (10 * n, 100, 200)).save(out, format_name)
    return out.getvalue()


def files_error(response):
    html = response.get_data(as_text=True)
    return html.split('id="files-error">', 1)[1].split("<", 1)[0].strip()


# --- The pixel limit ---------------------------------------------------------------------------


def test_an_image_declaring_too_many_pixels_is_refused_before_decoding(client, case, monkeypatch):
    bomb = grey_png(7745, 7745)
    assert len(bomb) < 250_000

    def decoded(image):
        raise AssertionError("the image was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", decoded)
    response = evidence(
        client,
        case,
        (PDF, "receipt.pdf", "application/pdf"),  # staged first, then removed
        (bomb, "photo.png", "image/png"),
    )
    assert response.status_code == 422
    assert files_error(response) == (
        "“photo.png” is 60 megapixels; Mend takes images up to 24 megapixels."
    )
    assert not Entry.select().exists() and not EntryFile.select().exists()
    assert stored_files() == []


def test_an_image_exactly_at_the_limit_is_accepted_and_one_pixel_row_more_is_not(client, case):
    response = evidence(client, case, (grey_png(6000, 4000), "at-limit.png", "image/png"))
    assert response.status_code == 302
    stored = EntryFile.get()
    with Image.open(files.path_of(stored.stored_name)) as image:
        assert image.size == (6000, 4000)

    response = evidence(client, case, (grey_png(6000, 4001), "over.png", "image/png"))
    assert response.status_code == 422
    assert files_error(response) == (
        "“over.png” is 24.1 megapixels; Mend takes images up to 24 megapixels."
    )
    assert EntryFile.select().count() == 1


@pytest.fixture
def limit_from_environment(monkeypatch):
    monkeypatch.setenv("MEND_UPLOAD_MAX_PIXELS", "12000")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", Image.MAX_IMAGE_PIXELS)  # restored after


def test_the_pixel_limit_is_a_setting_and_pillow_follows_it(
    limit_from_environment, app, client, case
):
    assert app.config["UPLOAD_MAX_PIXELS"] == 12_000
    assert Image.MAX_IMAGE_PIXELS == 12_000
    accepted = evidence(client, case, (grey_png(120, 100), "at-limit.png", "image/png"))
    assert accepted.status_code == 302
    refused = evidence(client, case, (grey_png(121, 100), "over.png", "image/png"))
    assert refused.status_code == 422
    assert files_error(refused) == (
        "“over.png” is 0.013 megapixels; Mend takes images up to 0.012 megapixels."
    )


def test_pillow_refuses_what_mend_refuses_by_default(app):
    assert Image.MAX_IMAGE_PIXELS == app.config["UPLOAD_MAX_PIXELS"] == 24_000_000


# --- One file at a time, metadata left behind -------------------------------------------------


def test_a_checked_file_is_written_at_once_to_its_staged_file(app):
    data = grey_png(300, 200, level=90)
    upload = files.check(FileStorage(io.BytesIO(data), filename="scan.png"))
    staged = files.upload_folder() / f".tmp-{upload.stored_name}"
    written = staged.read_bytes()
    assert (upload.size, upload.sha256) == (len(written), hashlib.sha256(written).hexdigest())
    assert os.stat(staged).st_mode & 0o777 == 0o600
    with Image.open(staged) as image:
        assert (image.format, image.size, image.mode) == ("PNG", (300, 200), "L")
    files.discard([upload])
    assert stored_files() == []


def test_ten_files_are_saved_in_one_entry_each_with_its_size_and_digest(client, case):
    uploads = [(small_image(n, "PNG"), f"photo-{n}.png", "image/png") for n in range(5)]
    uploads += [(small_image(n, "JPEG"), f"photo-{n}.jpg", "image/jpeg") for n in range(5)]
    response = evidence(client, case, *uploads)
    assert response.status_code == 302
    entry = Entry.get()
    stored = list(entry.files)
    assert len(stored) == 10
    assert {f.original_name for f in stored} == {name for _, name, _ in uploads}
    for row in stored:
        data = files.path_of(row.stored_name).read_bytes()
        assert (row.size, row.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert sorted(stored_files()) == sorted(f.stored_name for f in stored)  # nothing staged


def test_an_image_damaged_after_its_header_is_refused_and_leaves_nothing_staged(client, case):
    damaged = grey_png(600, 400, level=90)[:-40]  # the end of the pixel data is missing
    response = evidence(
        client,
        case,
        (small_image(1, "PNG"), "first.png", "image/png"),  # staged before the damaged one
        (damaged, "damaged.png", "image/png"),
    )
    assert response.status_code == 422
    assert files_error(response) == "“damaged.png” could not be read as an image."
    assert not Entry.select().exists() and stored_files() == []


def test_eleven_files_are_refused_before_any_is_read(client, case, monkeypatch):
    monkeypatch.setattr(files, "check", lambda *args, **kwargs: pytest.fail("a file was read"))
    response = evidence(client, case, *[(PDF, f"r{n}.pdf", "application/pdf") for n in range(11)])
    assert response.status_code == 422
    assert files_error(response) == "Attach at most 10 files to one entry."
    assert not Entry.select().exists() and stored_files() == []


def test_a_phone_jpeg_is_stored_upright_without_exif_icc_xmp_or_comment(client, case):
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # stored sideways: turn 90 degrees clockwise
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] = "N"
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(
        out,
        "JPEG",
        exif=exif,
        icc_profile=b"fake-icc-profile",
        xmp=b"<x:xmpmeta>Lounge, 51.5 N</x:xmpmeta>",
        comment=b"Taken at the lounge",
    )
    response = evidence(client, case, (out.getvalue(), "IMG_0001.jpg", "image/jpeg"))
    assert response.status_code == 302
    data = files.path_of(EntryFile.get().stored_name).read_bytes()
    with Image.open(io.BytesIO(data)) as image:
        assert (image.format, image.size) == ("JPEG", (30, 40))
        assert not image.getexif()
        assert not {"exif", "icc_profile", "xmp", "comment"} & set(image.info)
    for secret in (b"PhoneMaker", b"fake-icc", b"xmpmeta", b"lounge"):
        assert secret not in data


def test_a_png_is_stored_without_its_text_icc_or_xmp_chunks(client, case):
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "Taken at the lounge")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>Lounge, 51.5 N</x:xmpmeta>")
    out = io.BytesIO()
    Image.new("RGBA", (16, 12), (30, 30, 200, 128)).save(
        out, "PNG", pnginfo=info, icc_profile=b"fake-icc-profile"
    )
    response = evidence(client, case, (out.getvalue(), "scan.png", "image/png"))
    assert response.status_code == 302
    data = files.path_of(EntryFile.get().stored_name).read_bytes()
    with Image.open(io.BytesIO(data)) as image:
        assert (image.format, image.size, image.mode) == ("PNG", (16, 12), "RGBA")
        assert image.getpixel((0, 0)) == (30, 30, 200, 128)
        assert not {"Comment", "XML:com.adobe.xmp", "icc_profile"} & set(image.info)
    for chunk in (b"tEXt", b"iTXt", b"iCCP", b"lounge"):
        assert chunk not in data


# --- Staged files left behind ------------------------------------------------------------------

HOUR = 3600


def leave(folder, name, age_seconds):
    """A file in the upload folder, last written ``age_seconds`` ago."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(b"left behind")
    then = time.time() - age_seconds
    os.utime(path, (then, then))
    return path


def test_clean_uploads_removes_staged_files_older_than_an_hour_and_nothing_else(app, cli):
    folder = files.upload_folder()
    old_staged = leave(folder, ".tmp-" + "a" * 32, HOUR + 60)
    fresh_staged = leave(folder, ".tmp-" + "b" * 32, HOUR - 60)  # another worker's, maybe
    old_stored = leave(folder, "c" * 32, 30 * 24 * HOUR)
    result = cli.invoke(args=["clean-uploads"])
    assert result.exit_code == 0, result.output
    assert result.output == f"Removed 1 staged upload file older than an hour from {folder}.\n"
    assert not old_staged.exists()
    assert fresh_staged.exists() and old_stored.read_bytes() == b"left behind"

    again = cli.invoke(args=["clean-uploads"])
    assert again.output == f"Removed 0 staged upload files older than an hour from {folder}.\n"


def test_clean_uploads_with_no_upload_folder_yet_removes_nothing(app, cli):
    result = cli.invoke(args=["clean-uploads"])
    assert result.exit_code == 0
    assert "Removed 0 staged upload files" in result.output


def test_starting_mend_removes_staged_files_older_than_an_hour(database_url, tmp_path):
    folder = tmp_path / "instance" / "files"
    old_staged = leave(folder, ".tmp-" + "a" * 32, HOUR + 60)
    fresh_staged = leave(folder, ".tmp-" + "b" * 32, 5)
    old_stored = leave(folder, "c" * 32, 30 * 24 * HOUR)
    app = make_app(database_url, tmp_path)
    assert files.upload_folder(app) == folder
    assert not old_staged.exists()
    assert fresh_staged.exists() and old_stored.exists()
    with app.app_context():
        # The command run right after that start reports what the start removed.
        result = app.test_cli_runner().invoke(args=["clean-uploads"])
    assert "Removed 1 staged upload file older than an hour" in result.output


def test_starting_mend_never_fails_on_an_unreadable_upload_folder(database_url, tmp_path, caplog):
    not_a_folder = tmp_path / "files"
    not_a_folder.write_text("a file where the folder should be")
    with caplog.at_level(logging.WARNING):
        app = make_app(database_url, tmp_path, UPLOAD_FOLDER=str(not_a_folder))
    assert "Could not look for staged uploads left in" in caplog.text
    result = app.test_cli_runner().invoke(args=["clean-uploads"])
    assert result.exit_code == 1
    assert f"Error: Could not read the upload folder {not_a_folder}" in result.output
