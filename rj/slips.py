"""Set-up slips: a one-time code handed over on paper, with the address people reach
Mend at as a QR code. No e-mail anywhere."""

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l

from rj import twofactor

NO_ADDRESS = _l(
    "Set MEND_PUBLIC_URL (the address people reach Mend at) before printing a slip: the "
    "slip carries it as a QR code. Nothing was changed."
)


def address():
    """Where people reach Mend (``PUBLIC_URL``), or None when it is not set."""
    url = (current_app.config.get("PUBLIC_URL") or "").strip().rstrip("/")
    return url or None


def render(heading, code, user=None, case_code=False):
    """The printable slip, shown once, right after its code was made."""
    signin = f"{address()}/signin"
    return render_template(
        "_partials/slip.html",
        user=user,
        code=code,
        heading=heading,
        signin=signin,
        qr=twofactor.qr_svg(signin, scale=6),
        insecure=not signin.startswith("https://"),
        days=current_app.config["SETUP_CODE_DAYS"],
        case_code=case_code,
    )
