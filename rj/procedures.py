"""The organisation's posted procedures: its own words in a safe subset of Markdown, the
steps of the process with their time targets, and the poster's QR code.

Markdown is rendered by markdown-it-py with raw HTML off, then cleaned by nh3 (the
Rust ``ammonia`` sanitiser) to an allow-list of tags, attributes and link schemes:
no script, no style, no event attributes, no ``javascript:`` links get through.
"""

import nh3
import segno
from flask import current_app, request, url_for
from flask_babel import ngettext
from markdown_it import MarkdownIt
from markupsafe import Markup

from rj import audit, concerns, db, i18n, settings, workflow
from rj.refusals import Refused

TEXT = "procedures_text"
TEXT_MAX = 20_000

ALLOWED_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "a",
    "blockquote",
    "code",
    "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
LINK_SCHEMES = {"http", "https", "mailto", "tel"}

# The organisation's words until a coordinator writes its own (Settings).
DEFAULT_TEXT = """\
## How to raise a concern

You can raise a concern about something that happened here: to you, to someone
else, or something you saw. You do not need to give your name.

- **Tell a staff member or a peer worker.** They will write it down with you.
- **Fill in the form** on this site, with or without an account.
- **Ask someone you trust** to raise it for you.

## What you can expect

- **To be listened to.** Nobody is punished for raising a concern in good faith.
- **Support.** You can bring someone with you, or ask for a representative to speak
  up for you at every step.
- **Privacy.** What you tell us is seen only by the facilitators, and by others in
  the case only when it is shared with them. Nobody's name is shown on the board.
- **A say in what happens.** The aim is to repair harm, not to punish.
- **Appeal.** If you are not satisfied with the decision, you can ask for it to be
  looked at again by a facilitator who was not the lead.
"""

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def text():
    return settings.get(TEXT) or DEFAULT_TEXT


def render(markdown_text):
    """Safe HTML of the organisation's Markdown: only the allowed tags and links."""
    html = _markdown.render(markdown_text or "")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=LINK_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    # nh3 kept only the allowed tags, attributes and link schemes.
    return Markup(cleaned)  # noqa: S704  # nosec B704


def steps():
    """The stages a person goes through, in order, with their time targets: the
    enabled stages of the forward process, less Closed."""
    return [s for s in workflow.board_stages() if s.key in workflow.ORDER[:-1] and s.enabled]


def save(by, stage_values, community_enabled, appeal_window_days, procedures_text, public):
    """Every setting of the Settings page in one transaction: the stages (see
    ``workflow.configure``), the procedures' text and whether the public may raise a
    concern without an account."""
    procedures_text = (procedures_text or "").strip()
    if len(procedures_text) > TEXT_MAX:
        raise Refused(
            ngettext(
                "The procedures can be at most %(limit)s character: this has %(length)s.",
                "The procedures can be at most %(limit)s characters: this has %(length)s.",
                TEXT_MAX,
                limit=i18n.number_text(TEXT_MAX),
                length=i18n.number_text(len(procedures_text)),
            ),
            "procedures",
        )
    with db.write_tx():
        workflow.configure(by, stage_values, community_enabled, appeal_window_days)
        changed = [
            name
            for name, key, value in (
                ("procedures", TEXT, procedures_text),
                ("public_filing", concerns.PUBLIC_FILING, bool(public)),
            )
            if settings.get(key, None if key == TEXT else False) != value
        ]
        settings.put(TEXT, procedures_text)
        settings.put(concerns.PUBLIC_FILING, bool(public))
        if changed:
            audit.record("settings.changed", actor=by, fields=changed)


# --- The poster's address -------------------------------------------------------------


def public_address(endpoint):
    """The full address of a public page: under ``PUBLIC_URL`` when it is set, else under
    the address this request came to."""
    base = current_app.config.get("PUBLIC_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint)
    return request.url_root.rstrip("/") + url_for(endpoint)


def qr_svg(address, title):
    """A QR code of ``address`` as inline SVG (no image service)."""
    qr = segno.make(address, error="m")
    svg = qr.svg_inline(
        scale=1, border=4, omitsize=True, svgclass="qr", title=title, dark="#000", light="#fff"
    )
    # segno escapes the title; the rest is its own markup.
    return Markup(svg)  # noqa: S704  # nosec B704
