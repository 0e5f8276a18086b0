"""The one way the domain says no.

Every rule of the domain (workflow, cases, entries, the tablet, accounts) refuses
with ``Refused``: a message a person can act on, and optionally the form field it
is about. ``Stale`` is a refusal because someone else changed the thing first; a
route answers it with 409 instead of 422.
"""


class Refused(Exception):
    """A rule said no. ``field`` names the form field the message belongs beside."""

    status = 422

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


class Stale(Refused):
    """Someone changed it since the form was loaded: nothing was saved."""

    status = 409
