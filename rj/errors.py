"""Friendly error pages that leak nothing; htmx requests get a short message instead."""

from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

MESSAGES = {
    400: (_l("Something in that request was not right"), _l("Please go back and try again.")),
    401: (_l("Please sign in"), _l("Your session has ended. Sign in again to continue.")),
    403: (
        _l("Not available to you"),
        _l("Your account cannot open this page or take this action."),
    ),
    404: (_l("Not found"), _l("There is nothing here, or it is not available to you.")),
    405: (_l("Not allowed"), _l("That kind of request is not accepted here.")),
    413: (_l("Too large"), _l("What you sent is larger than Mend accepts.")),
    429: (_l("Too many attempts"), _l("Please wait a little and try again.")),
    500: (
        _l("Something went wrong"),
        _l("Nothing was saved from that request. Please try again."),
    ),
}


def init_app(app):
    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, unexpected_error)


def render_error(code, detail=None):
    title, message = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    title, message = str(title), detail or str(message)
    if request.htmx:
        return render_template("errors/_message.html", title=title, message=message), code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def http_error(exc):
    response = render_error(exc.code or 500)
    if exc.code == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
        return (*response, {"Allow": ", ".join(exc.valid_methods)})
    return response


def csrf_error(exc):
    body, code = render_error(
        400,
        _(
            "This form had expired or was sent from elsewhere. Please reload the page and try "
            "again."
        ),
    )
    if request.htmx:
        return body, 403, {"HX-Trigger": "session-ended"}
    return body, code


def unexpected_error(exc):
    if isinstance(exc, HTTPException):
        return http_error(exc)
    from flask import current_app

    current_app.logger.exception("Unhandled error", exc_info=exc)
    return render_error(InternalServerError.code)
