"""The case file: a printable page and a ZIP with every entry and the audit trail."""

import io
import json
import zipfile

import pytest

from rj import cases, entries
from tests.helpers import create_user, make_case, sign_in_session


@pytest.fixture
def fac(app, login_as):
    return login_as("facilitator", display_name="Fen Facil")


def test_the_export_holds_every_entry_and_the_audit_trail(client, fac):
    case = make_case("hearing", by=fac)
    entries.add_entry(case, fac, "statement", "Marker statement text 123")
    entries.add_entry(
        case, fac, "witness", "Marker witness text 456", witness=entries.Witness("Wren", "saw it")
    )
    response = client.get(f"/cases/{case.reference}/export.zip")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="{case.reference}.zip"'
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert {"case.json", "case.html"} <= set(archive.namelist())
    data = json.loads(archive.read("case.json"))
    bodies = [item["body"] for item in data["timeline"]]
    assert "Marker statement text 123" in bodies and "Marker witness text 456" in bodies
    assert "Both accounts agree on the main events." in bodies  # the finding
    actions = [record["action"] for record in data["audit"]]
    assert "case.filed" in actions and "case.moved" in actions
    # The export is recorded once it is made: the next one holds that record.
    again = zipfile.ZipFile(io.BytesIO(client.get(f"/cases/{case.reference}/export.zip").data))
    later = [record["action"] for record in json.loads(again.read("case.json"))["audit"]]
    assert later.count("case.exported") == 1
    html = archive.read("case.html").decode()
    assert "Marker witness text 456" in html and "Audit trail" in html


def test_the_printable_page_is_a_clean_paper_record(client, fac):
    case = make_case("acknowledged", by=fac)
    html = client.get(f"/cases/{case.reference}/record").get_data(as_text=True)
    assert "print.css" in html and "app.js" not in html
    assert "Confidential case file" in html and case.reference in html
    assert "Moved from Filed to Acknowledged" in html


def test_exports_need_access_to_the_case(client, fac):
    case = make_case("filed")
    cases.declare_conflict(case, fac, "Neighbour")
    assert client.get(f"/cases/{case.reference}/export.zip").status_code == 404
    assert client.get(f"/cases/{case.reference}/record").status_code == 404
    sign_in_session(client, create_user("participant"))
    assert client.get(f"/cases/{case.reference}/export.zip").status_code == 403
