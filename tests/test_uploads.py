"""Uploads: the pixel limit read from an image's header."""

import io
import struct
import zlib

import pytest
from PIL import Image, ImageFile

from rj import files
from rj.models import Entry, EntryFile
from tests.conftest import make_case
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
