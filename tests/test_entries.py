"""Timeline entries: adding each kind, files, corrections, redaction, and who may see them."""

import hashlib
import io
from datetime import timedelta

import pytest
from markupsafe import escape
from PIL import ExifTags, Image

from rj import cases, entries, files
from rj.clock import utcnow
from rj.models import AuditRecord, Case, Entry, EntryFile, EntryRevision
from tests.helpers import create_user, make_case, sign_in_session, visible_text

HX = {"HX-Request": "true"}


@pytest.fixture
def fac(app, login_as):
    return login_as("facilitator", display_name="Fen Facil")


@pytest.fixture
def case(fac):
    return make_case(
        "investigating",
        by=fac,
        parties=[("harmed", None, "Harper Harmed"), ("caused", None, "Cal Caused")],
    )


def parties_of(case):
    return {p.side: p for p in case.parties}


def add(client, case, **data):
    data = {"kind": "note", "body": "Something was said.", "audience": "", "party": "", **data}
    return client.post(
        f"/cases/{case.reference}/entries/new", data=data, content_type="multipart/form-data"
    )


def png_with_gps():
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 12.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (0.0, 7.0, 40.0)
    out = io.BytesIO()
    Image.new("RGB", (16, 12), (200, 30, 30)).save(out, "PNG", exif=exif)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    return data


def jpeg_with_gps():
    exif = Image.Exif()
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 12.0)
    out = io.BytesIO()
    Image.new("RGB", (16, 12), (30, 200, 30)).save(out, "JPEG", exif=exif)
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def evidence(client, case, *uploads, body="Photo of the broken lock."):
    return add(
        client,
        case,
        kind="evidence",
        body=body,
        files=[(io.BytesIO(data), name, mimetype) for data, name, mimetype in uploads],
    )


def stored_files():
    folder = files.upload_folder()
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# --- Adding entries --------------------------------------------------------------


def test_the_case_page_offers_each_kind_of_entry(client, case):
    html = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    for label, kind in [
        ("Add a statement", "statement"),
        ("Add a witness account", "witness"),
        ("Add evidence", "evidence"),
        ("Record findings", "finding"),
    ]:
        assert f'href="/cases/{case.reference}/entries/new?kind={kind}">{label}</a>' in html


def test_each_kind_s_form_shows_its_own_fields_each_labelled(client, case):
    response = client.get(f"/cases/{case.reference}/entries/new?kind=witness")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Add a witness account</h1>" in html
    assert '<input type="hidden" name="kind" value="witness">' in html
    for name in ("body", "audience", "party", "witness_name", "witness_relation"):
        assert f'<label for="{name}"' in html
    assert "Harper Harmed (harmed)" in html and "Cal Caused (caused harm)" in html
    assert 'autocomplete="off"' in html
    assert 'name="files"' not in html  # files go with evidence only
    statement = client.get(f"/cases/{case.reference}/entries/new?kind=statement")
    text = statement.get_data(as_text=True)
    assert "<h1>Add a statement</h1>" in text
    assert "witness_name" not in text and "The witness" not in text and 'name="files"' not in text
    assert '<label for="party">Party</label>' in text  # a statement needs its party
    evidence = client.get(f"/cases/{case.reference}/entries/new?kind=evidence")
    text = evidence.get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in text and 'name="files"' in text
    assert '<label for="files">Files <span class="optional">(optional)</span></label>' in text
    assert "witness_name" not in text


@pytest.mark.parametrize(
    ("kind", "label", "extra", "audience", "audience_label"),
    [
        ("statement", "Statement", {}, "facilitators", "Facilitators only"),
        ("statement", "Statement", {"party": "harmed"}, "party", "One side"),
        ("witness", "Witness account", {}, "facilitators", "Facilitators only"),
        ("evidence", "Evidence", {"audience": "team"}, "team", "Case team"),
        ("finding", "Findings", {"audience": "everyone"}, "everyone", "Everyone in the case"),
        ("note", "Note", {}, "facilitators", "Facilitators only"),
    ],
)
def test_each_kind_is_added_with_its_default_or_chosen_audience(
    client, fac, case, kind, label, extra, audience, audience_label
):
    if "party" in extra:
        extra = {**extra, "party": parties_of(case)[extra["party"]].id}
    if kind == "witness":
        extra = {**extra, "witness_name": "Wren Witness", "witness_relation": "at the counter"}
    response = add(client, case, kind=kind, body=f"The {kind} text.", **extra)
    entry = Entry.get()
    assert response.status_code == 302
    assert response.headers["Location"] == (
        f"/cases/{case.reference}?saved=entry-{entry.id}#entry-{entry.id}"
    )
    assert (entry.kind, entry.audience, entry.author_id) == (kind, audience, fac.id)
    assert entry.body == f"The {kind} text." and entry.revision == 1
    assert EntryRevision.get().number == 1
    if audience == "party":
        assert entry.audience_party_id == parties_of(case)["harmed"].id
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    item = visible_text(html, f"entry-{entry.id}")
    # The confirmation is in the new item, which the page scrolls to, and only there.
    assert item.startswith(f"{label} added to {case.reference}. {label} Fen Facil")
    assert f"Who can read it: {audience_label}" in item
    assert f"The {kind} text." in item
    assert visible_text(html).count(f"{label} added to") == 1
    record = AuditRecord.get(AuditRecord.action == "entry.created")
    assert (record.case_id, record.entry_id, record.actor_id) == (case.id, entry.id, fac.id)


def test_a_witness_identity_is_kept_apart_from_the_account(client, case):
    add(
        client,
        case,
        kind="witness",
        body="I saw the door slam.",
        witness_name="Wren Witness",
        witness_relation="was at the counter",
        audience="everyone",
    )
    entry = Entry.get()
    assert entry.audience == "everyone"
    # Entry.body is what every view of the timeline shows: the account alone.
    assert entry.body == "I saw the door slam." and "Wren" not in entry.body
    revision = EntryRevision.get()
    assert revision.body == (
        "[witness]\nname: Wren Witness\nrelation: was at the counter\n[/witness]\n"
        "I saw the door slam."
    )
    html = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "Witness (facilitators only)" in html and "Wren Witness" in html


def test_a_witness_may_prefer_not_to_say_who_they_are(client, case):
    response = add(
        client,
        case,
        kind="witness",
        body="Someone shouted.",
        witness_anonymous="y",
        witness_relation="a regular",
    )
    assert response.status_code == 302
    assert "name: prefers not to say\n" in EntryRevision.get().body


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"body": "  "}, "body", "Write the entry."),
        ({"kind": "rumour"}, "kind", "Not a valid choice."),
        ({"audience": "the world"}, "audience", "Not a valid choice."),
        ({"audience": "party"}, "party", "Choose which party may see it."),
        ({"kind": "witness", "witness_relation": "friend"}, "witness_name", "Give the witness"),
        ({"kind": "witness", "witness_name": "Wren"}, "witness_relation", "Say how the witness"),
        (
            {
                "kind": "witness",
                "witness_name": "Wren",
                "witness_anonymous": "y",
                "witness_relation": "friend",
            },
            "witness_name",
            'Give a name or tick "prefers not to say", not both.',
        ),
    ],
)
def test_bad_input_is_refused_beside_the_field_and_nothing_is_written(
    client, case, data, field, message
):
    audit_before = AuditRecord.select().count()
    response = add(client, case, **data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    # In the summary at the top, linked to its field, and beside the field where it shows.
    assert f'<li><a href="#{field}">{escape(message)}' in html
    if field != "kind":  # chosen by the link that opened the form: no field of its own
        assert f'id="{field}-error">{escape(message)}' in html
    assert not Entry.select().exists() and not EntryRevision.select().exists()
    assert AuditRecord.select().count() == audit_before


def test_a_party_of_another_case_is_refused(client, fac, case):
    other = make_case("investigating", by=fac, parties=[("harmed", None, "Ola Other")])
    response = add(client, case, kind="statement", audience="party", party=str(other.parties[0].id))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="party-error">Not a valid choice.' in html
    assert not Entry.select().exists()


# --- Files -------------------------------------------------------------------------


def test_a_photo_is_stored_re_encoded_without_its_exif_and_gps(client, case):
    original = png_with_gps()
    response = evidence(client, case, (original, "IMG_0042.png", "image/png"))
    assert response.status_code == 302
    stored = EntryFile.get()
    assert (stored.original_name, stored.content_type) == ("IMG_0042.png", "image/png")
    assert "IMG_0042" not in stored.stored_name
    path = files.upload_folder() / stored.stored_name
    data = path.read_bytes()
    assert data != original
    assert (stored.size, stored.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size == (16, 12)
        assert not image.getexif()
        assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert "exif" not in image.info
    assert b"PhoneMaker" not in data and b"Exif" not in data


def test_a_jpeg_is_stored_without_gps(client, case):
    evidence(client, case, (jpeg_with_gps(), "photo.jpeg", "image/jpeg"))
    stored = EntryFile.get()
    with Image.open(files.upload_folder() / stored.stored_name) as image:
        assert image.format == "JPEG"
        assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert "exif" not in image.info


def test_a_pdf_and_a_text_file_are_accepted_and_listed(client, case):
    response = evidence(
        client,
        case,
        (PDF, "receipt.pdf", "application/pdf"),
        (b"Notes from the shift.\n", "../../etc/notes.txt", "application/octet-stream"),
    )
    assert response.status_code == 302
    rows = {f.original_name: f for f in EntryFile.select()}
    assert set(rows) == {"receipt.pdf", "notes.txt"}
    assert rows["receipt.pdf"].content_type == "application/pdf"
    assert rows["notes.txt"].content_type == "text/plain"
    assert (files.upload_folder() / rows["receipt.pdf"].stored_name).read_bytes() == PDF
    html = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert f'href="/cases/{case.reference}/files/{rows["receipt.pdf"].id}">receipt.pdf</a>' in html
    assert f"(PDF, {len(PDF)} bytes)" in html and "notes.txt" in html


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        ((EXE, "holiday.png", "image/png"), "“holiday.png” is not a file Mend accepts."),
        ((b"\x89PNG\r\n\x1a\nnot really", "x.png", "image/png"), "could not be read as an image"),
        ((b"", "empty.txt", "text/plain"), "“empty.txt” is empty."),
    ],
)
def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_is_saved(
    client, case, upload, message
):
    response = evidence(client, case, (PDF, "fine.pdf", "application/pdf"), upload)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="files-error">' in html and message in html
    assert not Entry.select().exists() and not EntryFile.select().exists()
    assert stored_files() == []


def test_an_oversize_file_is_refused(client, app, case):
    app.config["UPLOAD_MAX_BYTES"] = 50
    response = evidence(client, case, (b"x" * 51, "long.txt", "text/plain"))
    assert response.status_code == 422
    assert "“long.txt” is larger than 50 bytes, the most Mend accepts." in response.get_data(
        as_text=True
    )
    assert not EntryFile.select().exists() and stored_files() == []


def test_only_evidence_carries_files(client, case):
    response = add(
        client,
        case,
        kind="finding",
        files=[(io.BytesIO(PDF), "x.pdf", "application/pdf")],
    )
    assert response.status_code == 422
    # A finding's form has no file field: the refusal is in the summary at the top.
    assert "Only evidence can carry files." in response.get_data(as_text=True)
    assert not Entry.select().exists() and stored_files() == []


def test_a_failed_save_leaves_no_file_behind(client, case, monkeypatch):
    from rj import audit

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "record", broken)
    response = evidence(client, case, (PDF, "receipt.pdf", "application/pdf"))
    assert response.status_code == 500
    assert not Entry.select().exists() and stored_files() == []


def test_a_file_is_served_with_its_type_and_name_and_the_view_is_recorded(client, fac, case):
    evidence(client, case, (PDF, "receipt.pdf", "application/pdf"))
    stored = EntryFile.get()
    response = client.get(f"/cases/{case.reference}/files/{stored.id}")
    assert response.status_code == 200
    assert response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"] == "attachment; filename=receipt.pdf"
    record = AuditRecord.get(AuditRecord.action == "file.viewed")
    assert (record.actor_id, record.case_id, record.entry_id) == (fac.id, case.id, stored.entry_id)


def test_file_download_needs_access_to_the_case(client, fac, case):
    evidence(client, case, (PDF, "receipt.pdf", "application/pdf"))
    stored = EntryFile.get()
    url = f"/cases/{case.reference}/files/{stored.id}"

    other_case = make_case("investigating", by=fac)
    assert client.get(f"/cases/{other_case.reference}/files/{stored.id}").status_code == 404
    assert client.get(f"/cases/{case.reference}/files/99999").status_code == 404

    recused = create_user("facilitator")
    cases.declare_conflict(case, recused)
    sign_in_session(client, recused)
    assert client.get(url).status_code == 404

    for role in ("volunteer", "participant", "representative"):
        sign_in_session(client, create_user(role))
        assert client.get(url).status_code == 403
    assert not AuditRecord.select().where(AuditRecord.action == "file.viewed").exists()


def test_other_roles_cannot_add_entries(client, case):
    sign_in_session(client, create_user("volunteer"))
    assert client.get(f"/cases/{case.reference}/entries/new").status_code == 403
    assert add(client, case).status_code == 403
    assert not Entry.select().exists()


# --- Corrections ---------------------------------------------------------------------


def correct(client, case, entry, **data):
    data = {"body": "Corrected text.", "reason": "Wrong day.", "revision": entry.revision, **data}
    return client.post(f"/cases/{case.reference}/entries/{entry.id}/correct", data=data)


def test_a_correction_keeps_both_revisions_and_the_history_shows_them(client, fac, case):
    entry = entries.add_entry(case, fac, "statement", "It happened on Monday.")
    form = client.get(f"/cases/{case.reference}/entries/{entry.id}/correct")
    assert form.status_code == 200 and "It happened on Monday." in form.get_data(as_text=True)

    response = correct(client, case, entry, body="It happened on Tuesday.")
    assert response.status_code == 302
    assert response.headers["Location"] == (
        f"/cases/{case.reference}?saved=entry-{entry.id}#entry-{entry.id}"
    )
    entry = Entry.get_by_id(entry.id)
    assert (entry.body, entry.revision) == ("It happened on Tuesday.", 2)
    revisions = list(EntryRevision.select().order_by(EntryRevision.number))
    assert [r.body for r in revisions] == ["It happened on Monday.", "It happened on Tuesday."]
    assert (revisions[1].author_id, revisions[1].reason) == (fac.id, "Wrong day.")

    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "It happened on Tuesday." in page and "It happened on Monday." not in page
    assert "Corrected" in page and "History (2 revisions)" in page

    history = client.get(f"/cases/{case.reference}/entries/{entry.id}/history")
    html = history.get_data(as_text=True)
    assert history.status_code == 200
    assert "It happened on Monday." in html and "It happened on Tuesday." in html
    assert "Revision 1" in html and "Revision 2 (latest)" in html and "Wrong day." in html
    assert "Fen Facil" in html
    assert AuditRecord.get(AuditRecord.action == "entry.viewed").entry_id == entry.id


def test_a_correction_needs_a_reason_and_a_change(client, fac, case):
    entry = entries.add_entry(case, fac, "note", "Original.")
    response = correct(client, case, entry, reason=" ")
    assert response.status_code == 422
    assert 'id="reason-error">Say why this is being corrected.' in response.get_data(as_text=True)
    response = correct(client, case, entry, body="Original.")
    assert response.status_code == 422
    assert 'id="body-error">Nothing was changed.' in response.get_data(as_text=True)
    assert EntryRevision.select().count() == 1


def test_a_correction_made_on_an_old_revision_is_refused(client, fac, case):
    entry = entries.add_entry(case, fac, "note", "Original.")
    assert correct(client, case, entry, body="First fix.").status_code == 302
    response = correct(client, case, entry, body="Second fix.")
    assert response.status_code == 409
    assert "corrected by someone else" in response.get_data(as_text=True)
    assert Entry.get_by_id(entry.id).body == "First fix."


def test_a_witness_correction_keeps_the_identity_out_of_the_entry_body(client, fac, case):
    add(
        client,
        case,
        kind="witness",
        body="First account.",
        witness_name="Wren Witness",
        witness_relation="friend",
    )
    entry = Entry.get()
    response = correct(
        client,
        case,
        entry,
        body="Second account.",
        witness_name="Wren W. Witness",
        witness_relation="friend",
    )
    assert response.status_code == 302
    entry = Entry.get_by_id(entry.id)
    assert entry.body == "Second account."
    latest = EntryRevision.get(EntryRevision.number == 2)
    assert latest.body.startswith("[witness]\nname: Wren W. Witness\n")


def test_an_entry_of_another_case_is_a_404(client, fac, case):
    other = make_case("investigating", by=fac)
    entry = entries.add_entry(other, fac, "note", "Elsewhere.")
    for path in ("correct", "redact", "history"):
        assert client.get(f"/cases/{case.reference}/entries/{entry.id}/{path}").status_code == 404
    assert correct(client, case, entry).status_code == 404
    assert Entry.get_by_id(entry.id).revision == 1


# --- Redaction ---------------------------------------------------------------------


def test_a_redaction_removes_the_text_everywhere_and_keeps_who_when_why(client, fac, case):
    add(
        client,
        case,
        kind="witness",
        body="Secret first account.",
        witness_name="Wren Witness",
        witness_relation="friend",
    )
    entry = Entry.get()
    correct(
        client,
        case,
        entry,
        body="Secret second account.",
        witness_name="Wren Witness",
        witness_relation="friend",
    )
    removed = [r.body for r in EntryRevision.select().order_by(EntryRevision.number)]

    form = client.get(f"/cases/{case.reference}/entries/{entry.id}/redact")
    assert form.status_code == 200 and '<label for="reason"' in form.get_data(as_text=True)
    response = client.post(
        f"/cases/{case.reference}/entries/{entry.id}/redact",
        data={"reason": "Shared without consent"},
    )
    assert response.status_code == 302

    entry = Entry.get_by_id(entry.id)
    assert entry.body == "[redacted]"
    assert (entry.redacted_by_id, entry.redaction_reason) == (fac.id, "Shared without consent")
    assert entry.redacted_at is not None
    assert entry.redaction_sha256 == entries.redaction_digest(removed)
    assert entry.redaction_sha256 != hashlib.sha256("\x1e".join(removed).encode()).hexdigest()
    assert [r.body for r in EntryRevision.select()] == ["[redacted]", "[redacted]"]

    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    history = client.get(f"/cases/{case.reference}/entries/{entry.id}/history")
    for html in (page, history.get_data(as_text=True)):
        assert "Secret" not in html and "Wren" not in html
        assert "Shared without consent" in html
    assert "Redacted by Fen Facil" in page
    item = page[page.index(f'id="entry-{entry.id}"') :]
    item = item[: item.index("</li>")]
    assert ">Correct<" not in item and ">Redact<" not in item
    assert client.get(f"/cases/{case.reference}/entries/{entry.id}/correct").status_code == 409


def test_a_redaction_needs_a_reason(client, fac, case):
    entry = entries.add_entry(case, fac, "note", "Keep me.")
    response = client.post(
        f"/cases/{case.reference}/entries/{entry.id}/redact", data={"reason": ""}
    )
    assert response.status_code == 422
    assert 'id="reason-error">Say why this entry is redacted.' in response.get_data(as_text=True)
    assert Entry.get_by_id(entry.id).redacted_at is None


def test_a_redacted_entry_files_are_deleted_and_never_served(client, case):
    evidence(client, case, (PDF, "named-person.pdf", "application/pdf"))
    entry, stored = Entry.get(), EntryFile.get()
    client.post(
        f"/cases/{case.reference}/entries/{entry.id}/redact", data={"reason": "Identifying"}
    )
    assert stored_files() == []
    row = EntryFile.get_by_id(stored.id)
    assert (row.original_name, row.sha256, row.size) == ("[redacted]", stored.sha256, stored.size)
    assert client.get(f"/cases/{case.reference}/files/{stored.id}").status_code == 404
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "named-person" not in page and "1 file deleted with the redaction." in page


def test_audit_records_hold_no_entry_text(client, fac, case):
    add(
        client,
        case,
        kind="witness",
        body="Unique account words.",
        witness_name="Wren Witness",
        witness_relation="neighbour",
    )
    entry = Entry.get()
    correct(
        client,
        case,
        entry,
        body="Unique corrected words.",
        reason="Typo fixed",
        witness_name="Wren Witness",
        witness_relation="neighbour",
    )
    evidence(client, case, (PDF, "receipt-of-wren.pdf", "application/pdf"))
    client.get(f"/cases/{case.reference}/entries/{entry.id}/history")
    client.post(
        f"/cases/{case.reference}/entries/{entry.id}/redact", data={"reason": "Private matter"}
    )
    actions = {r.action for r in AuditRecord.select()}
    assert {"entry.created", "entry.corrected", "entry.viewed", "entry.redacted"} <= actions
    for record in AuditRecord.select():
        for text in ("Unique", "Wren", "neighbour", "Typo", "Private", "receipt"):
            assert text not in record.details


# --- The board ---------------------------------------------------------------------


def test_findings_recorded_here_let_an_investigating_case_move_to_hearing(client, fac, case):
    cases.schedule_meeting(case, fac, utcnow() + timedelta(days=2), "Meeting room", "Everyone")

    def move():
        fresh = Case.get_by_id(case.id)
        return client.post(
            f"/board/cases/{case.reference}/move",
            data={"to": "hearing", "version": fresh.version},
            headers=HX,
        )

    refused = move()
    assert refused.status_code == 422
    assert "Needs findings recorded before Hearing" in refused.get_data(as_text=True)

    add(client, case, kind="finding", body="Both accounts agree.")
    moved = move()
    assert moved.status_code == 200
    assert Case.get_by_id(case.id).stage == "hearing"


def test_an_image_opens_in_the_browser_and_text_downloads_as_utf8(client, case):
    evidence(
        client,
        case,
        (png_with_gps(), "Фото двери.png", "image/png"),
        ("Café notes\n".encode(), "notes.txt", "text/plain"),
    )
    image, text = EntryFile.select().order_by(EntryFile.id)
    response = client.get(f"/cases/{case.reference}/files/{image.id}")
    assert response.headers["Content-Type"] == "image/png"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("inline;")
    assert "filename*=UTF-8''%D0%A4%D0%BE%D1%82%D0%BE%20%D0%B4%D0%B2%D0%B5%D1%80%D0%B8.png" in (
        disposition
    )
    response = client.get(f"/cases/{case.reference}/files/{text.id}")
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Content-Disposition"] == "attachment; filename=notes.txt"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.get_data(as_text=True) == "Café notes\n"


def test_a_statement_shared_with_one_side_names_that_side(client, case):
    harmed = parties_of(case)["harmed"]
    add(client, case, kind="statement", body="My side of it.", party=str(harmed.id))
    html = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "Shared with Harper Harmed and their representatives." in html
