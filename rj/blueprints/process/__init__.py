"""Routes of the case record: recording each step of the restorative process.

One module per area (people, meetings, decision, appeal, closing); the endpoint names
stay ``process.<view>``. Every form is a full page: GET shows it, POST saves it through
the domain (rj.cases, rj.workflow) and redirects back to the case page. A refusal from
the domain is shown beside the field it is about, with its status (422, or 409 when
someone else changed the case first).
"""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from wtforms import SelectChoice

from rj import casepage
from rj.vocabulary import SIDE_LABELS

bp = Blueprint("process", __name__, url_prefix="/cases/<reference>")


def page(template, case, form, heading, form_error=None, status=None, **context):
    """A process form's page; 422 when the form or the domain refused it."""
    if status is None:
        status = 422 if (form.errors or form_error) else 200
    html = render_template(
        f"process/{template}.html",
        case=case,
        form=form,
        heading=heading,
        form_error=form_error,
        **context,
    )
    return html, status


def saved(case, message, anchor=None):
    """Back to the case page, at what was just saved (``anchor``) and saying so, or at
    its top with the confirmation where nothing new shows in the timeline."""
    flash(message, "ok")
    if anchor:
        return redirect(casepage.saved_url(case, anchor))
    return redirect(url_for("cases.show", reference=case.reference))


def back_to_case(case, message):
    """Nothing to do here (already recorded, not under review): back to the case page."""
    flash(message, "error")
    return redirect(url_for("cases.show", reference=case.reference, _anchor="process"))


def user_choices(users):
    return [SelectChoice("", _("Choose…"))] + [
        SelectChoice(str(u.id), f"{u.display_name} ({u.username})") for u in users
    ]


def party_choices(parties):
    return [SelectChoice("", _("Choose…"))] + [
        SelectChoice(str(p.id), f"{p.person.name} ({SIDE_LABELS.get(p.side, p.side)})")
        for p in parties
    ]


def pick(rows, value):
    """The row among ``rows`` whose id the (already validated) choice names."""
    wanted = int(value)
    return next(row for row in rows if row.id == wanted)


from rj.blueprints.process import appeal, closing, decision, meetings, people  # noqa: E402, F401
