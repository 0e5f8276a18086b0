"""The public pages, open to anyone without signing in: the posted procedures, the
poster, raising a concern and the receipt code's page.

Nothing of any case is shown here except, to the holder of its receipt code, the
stage of that one concern in plain words. The code travels only in POST bodies: never
in a URL (logs keep those) or a cookie. Public actions keep no client address in the
audit trail (``audit.publicly``).
"""

import secrets

from flask import Blueprint, current_app, render_template
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from rj import concerns, policy, procedures, public_limits
from rj.forms import refuse
from rj.forms.public import AddInformationForm, ConcernForm, ReceiptForm
from rj.refusals import Refused

bp = Blueprint("public", __name__)


@bp.context_processor
def _public_context():
    return {
        "public_open": concerns.public_filing_open(),
        "receipt_address": procedures.public_address("public.receipt"),
    }


def _minutes(seconds):
    """A wait in whole minutes, at least one."""
    return max(1, round(seconds / 60))


@bp.route("/procedures")
@policy.public
def procedures_page():
    return render_template(
        "public/procedures.html",
        text=procedures.render(procedures.text()),
        steps=procedures.steps(),
    )


@bp.route("/procedures/poster")
@policy.public
def poster():
    open_ = concerns.public_filing_open()
    endpoint = "public.raise_concern" if open_ else "public.procedures_page"
    address = procedures.public_address(endpoint)
    return render_template(
        "public/poster.html",
        steps=procedures.steps(),
        open=open_,
        address=address,
        qr=procedures.qr_svg(address, _("QR code: %(address)s", address=address)),
        public_url_set=bool(current_app.config.get("PUBLIC_URL")),
        may_configure=policy.can(current_user, "settings.manage"),
    )


def _closed_page():
    """Raising a concern here is switched off: say how to raise one in person."""
    return render_template("public/not_open.html"), 404


@bp.route("/concerns/new", methods=["GET", "POST"])
@policy.public
def raise_concern():
    if not concerns.public_filing_open():
        return _closed_page()
    form = ConcernForm()
    if not form.is_submitted():
        form.submission.data = secrets.token_urlsafe(24)
    error, status = None, 200
    # Counted first, so a flood is answered before any other work is done for it; what
    # was typed is shown again all the same.
    wait = public_limits.concern_wait() if form.is_submitted() else 0
    if wait:
        public_limits.concern_refused()
        error, status = (
            ngettext(
                "Too many concerns were sent from here in the last hour. Please try again in "
                "%(num)s minute, or tell a staff member now.",
                "Too many concerns were sent from here in the last hour. Please try again in "
                "%(num)s minutes, or tell a staff member now.",
                _minutes(wait),
            ),
            429,
        )
    elif form.validate_on_submit():
        if form.website.data:
            # Only a robot fills in the hidden field: it is told what a person would be,
            # and nothing is kept.
            code = concerns.new_code()
            return render_template("public/received.html", code=concerns.shown(code))
        concern = concerns.Concern(
            form.what_happened.data, form.when_where.data, form.name.data, form.contact.data
        )
        try:
            case, code = concerns.raise_publicly(concern, form.submission.data)
        except Refused as refused:
            error, status = refuse(form, refused), refused.status
        else:
            public_limits.concern_raised()
            return render_template(
                "public/received.html", code=concerns.shown(code), raised_at=case.created_at
            )
    if form.errors and status == 200:
        status = 422
    return render_template("public/raise.html", form=form, error=error), status


@bp.route("/concerns/receipt", methods=["GET", "POST"])
@policy.public
def receipt():
    """The receipt code's page: the code is asked for on a form and sent in its body."""
    form = ReceiptForm()
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return render_template("public/receipt.html", form=form), status
    case, refusal = _case_for(form.code.data)
    if refusal:
        form.code.errors = [refusal.message]
        return render_template("public/receipt.html", form=form), refusal.status
    concerns.viewed_with_code(case)
    return _status(case, form.code.data)


@bp.route("/concerns/receipt/add", methods=["POST"])
@policy.public
def add_information():
    form = AddInformationForm()
    if not form.validate_on_submit() and form.code.errors:
        return render_template("public/receipt.html", form=ReceiptForm(formdata=None)), 422
    case, refusal = _case_for(form.code.data)
    if refusal:
        lookup = ReceiptForm(formdata=None)
        lookup.code.errors = [refusal.message]
        return render_template("public/receipt.html", form=lookup), refusal.status
    if form.errors:
        return _status(case, form.code.data, form=form, status=422)
    try:
        concerns.add_information(case, form.more.data)
    except Refused as refused:
        refuse(form, refused)
        return _status(case, form.code.data, form=form, status=refused.status)
    return _status(case, form.code.data, added=True)


def _case_for(typed):
    """The concern of a typed code, or a refusal that says the same for every wrong code."""
    hashed = concerns.typed_code_hash(typed)
    wait = public_limits.lookup_wait(hashed)
    if wait:
        return None, Refused(
            ngettext(
                "Too many codes were tried. Please try again in %(num)s minute, or ask a "
                "staff member.",
                "Too many codes were tried. Please try again in %(num)s minutes, or ask a "
                "staff member.",
                _minutes(wait),
            ),
            "code",
            status=429,
        )
    case = concerns.case_for_code(typed)
    public_limits.looked_up(hashed, case is not None)
    if case is None:
        return None, Refused(
            _(
                "That code does not match a concern. Check it against your slip (letters and "
                "numbers, in groups of four), or ask a staff member."
            ),
            "code",
            status=404,
        )
    return case, None


def _status(case, typed_code, form=None, status=200, added=False):
    """What the code's holder sees: the stage in plain words, and a form to add more."""
    if form is None:
        form = AddInformationForm(formdata=None)
    form.code.data = concerns.shown(concerns.normalised(typed_code))
    return render_template(
        "public/status.html", case=case, form=form, added=added, closed=case.stage == "closed"
    ), status
