"""The one way the domain says no.

Every rule of the domain (workflow, cases, entries, the tablet, accounts) refuses
with ``Refused``: a message a person can act on, and optionally the form field it
is about (or several fields, each with its message, in ``problems``). ``Stale`` is
a refusal because someone else changed the thing first; a route answers it with
409 instead of 422.
"""


class Refused(Exception):
    """A rule said no. ``field`` names the form field the message belongs beside;
    ``problems`` maps several fields to their messages when more than one is wrong."""

    status = 422

    def __init__(self, message, field=None, problems=None, status=None, steps=()):
        super().__init__(message)
        self.message = message
        self.field = field
        self.problems = dict(problems or ({field: message} if field else {}))
        # What would lift the refusal, for a move: workflow.Missing items with their step.
        self.steps = list(steps)
        if status is not None:
            self.status = status


class Stale(Refused):
    """Someone changed it since the form was loaded: nothing was saved. ``current`` is
    the thing as it is now, when the caller needs it (a card to put back in place)."""

    status = 409

    def __init__(self, message, field=None, current=None):
        super().__init__(message, field)
        self.current = current
