"""Every text field of every form states its limit, and the server's limit is the same:
one character more is refused beside the field, with the limit the page stated.

Generated from the pages of the URL map (each read by a role that may open it), so a new
form or field cannot slip past.
"""

from html.parser import HTMLParser

from tests.helpers import build_places, readable_pages, sign_in_session

TEXT_INPUTS = {"text", "search", "email", "url", "tel", ""}


class Forms(HTMLParser):
    """The POST forms of a page: their action and fields, and the limits the page states."""

    def __init__(self):
        super().__init__()
        self.forms, self.limits, self._form, self._textarea = [], {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-count-for" in attrs:
            self.limits[attrs["data-count-for"]] = int(attrs["data-limit"])
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self._form = {"action": attrs.get("action"), "fields": [], "values": {}}
            self.forms.append(self._form)
        if self._form is None or "name" not in attrs:
            return
        name = attrs["name"]
        if tag == "input":
            kind = (attrs.get("type") or "").lower()
            if kind in TEXT_INPUTS:
                self._form["fields"].append((name, attrs.get("id")))
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button", "file"):
                self._form["values"].setdefault(name, attrs.get("value") or "")
        elif tag == "textarea":
            self._form["fields"].append((name, attrs.get("id")))
            self._textarea = name
            self._form["values"][name] = ""
        elif tag == "select":
            self._form["values"].setdefault(name, "")

    def handle_data(self, data):
        if self._textarea:
            self._form["values"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._form = None


def _read(client, user, path):
    if user is not None:
        sign_in_session(client, user)
    else:
        with client.session_transaction() as session:
            session.clear()
    response = client.get(path)
    parser = Forms()
    if response.mimetype == "text/html":
        parser.feed(response.get_data(as_text=True))
    return response, parser


def test_every_text_field_states_a_limit_the_server_keeps(app, world):
    users, values = build_places(world)
    client = app.test_client()
    wrong, checked = [], 0
    for _, user, path in readable_pages(app, users, values):
        response, page = _read(client, user, path)
        if response.status_code != 200:
            continue
        for index, form in enumerate(page.forms):
            for name, field_id in form["fields"]:
                limit = page.limits.get(field_id or name)
                if limit is None:
                    wrong.append(f"{path}: the field {name!r} states no limit")
                    continue
                # One character too many, everything else as the page has it.
                _, fresh = _read(client, user, path)
                data = {**fresh.forms[index]["values"], name: "x" * (limit + 1)}
                answer = client.post(form["action"] or path, data=data)
                html = answer.get_data(as_text=True)
                error_at = html.find(f'id="{field_id or name}-error"')
                said = html[error_at : error_at + 400] if error_at >= 0 else ""
                checked += 1
                if answer.status_code != 422 or f"{limit:,}" not in said:
                    wrong.append(
                        f"{path}: {name!r} states {limit:,}, but {limit + 1:,} characters "
                        f"answered {answer.status_code} with {said[:120]!r}"
                    )
    assert checked > 40
    assert not wrong, "\n".join(wrong)
