"""The public pages in Chromium: the poster printed to PDF carries the steps, and its QR
code, read from a screenshot, is the public filing address; someone raises a concern
without an account and checks it with the receipt code."""

import io
import re

import pytest
from playwright.sync_api import expect

from rj import concerns, settings

PUBLIC_URL = "https://mend.example.org"


@pytest.fixture
def public_filing(live_app):
    live_app.config["PUBLIC_URL"] = PUBLIC_URL
    with live_app.app_context():
        settings.put(concerns.PUBLIC_FILING, True)


def test_the_poster_prints_with_the_steps_and_its_qr_code_reads_as_the_filing_address(
    page, public_filing
):
    import zxingcpp
    from PIL import Image
    from pypdf import PdfReader

    page.goto("/procedures/poster")
    expect(page.get_by_role("heading", level=1)).to_contain_text("raise a concern")

    shot = page.locator("svg.qr").screenshot()
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))
    assert [(b.format.name, b.text) for b in found] == [("QRCode", f"{PUBLIC_URL}/concerns/new")]

    pdf = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
    assert len(pdf.pages) == 1  # one page, to pin up
    text = " ".join(pdf.pages[0].extract_text().split())
    for step in ("Filed", "Acknowledged", "Investigating", "Hearing", "Restoring", "Follow-up"):
        assert step in text, step
    assert "We aim to acknowledge it within 2 days." in text
    assert "Not for emergencies" in text
    assert "Print the poster" not in text  # the screen's controls are not printed


def test_someone_raises_a_concern_and_checks_it_with_the_receipt_code(page, public_filing):
    page.goto("/procedures")
    expect(page.get_by_role("heading", name="Not for emergencies")).to_be_visible()
    page.get_by_role("link", name="Raise a concern").first.click()
    page.get_by_label("What happened?").fill("Someone kept shouting at me in the queue.")
    page.get_by_label("When and where did it happen? (optional)").fill("This morning, queue")
    page.get_by_role("button", name="Send my concern").click()
    expect(page.get_by_role("heading", name="Your concern was received")).to_be_visible()
    code = page.locator("[data-receipt-code]").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){4}", code)
    assert code not in page.url

    page.get_by_role("link", name="I have a receipt code").click()
    page.get_by_label("Your receipt code").fill(code.lower())
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_text("Your concern has been received.")).to_be_visible()
    assert code not in page.url and code.lower() not in page.url
    page.get_by_label("What do you want to add?").fill("It happened again at lunch.")
    page.get_by_role("button", name="Send it").click()
    expect(page.get_by_text("What you added is with the facilitators.")).to_be_visible()
