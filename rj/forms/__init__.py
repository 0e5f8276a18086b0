"""WTForms classes, one module per blueprint they serve (``rj/forms/<area>.py``).

Forms check shape: required, length, type, a plausible date. Every rule about the case
is the domain's, which refuses with ``Refused``; ``refuse`` puts that beside its field.
"""

from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from wtforms import IntegerField, SelectChoice, SelectMultipleField
from wtforms.validators import Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from rj.clock import local, today, utcnow
from rj.db import MAX_INTEGER
from rj.i18n import number_text


class Limit(Length):
    """At most ``max`` characters. The page states the limit and counts as it is typed
    (see _partials/field.html); too long is refused beside the field, never cut."""

    def __init__(self, max):
        super().__init__(max=max)

    def __call__(self, form, field):
        length = len(field.data or "")
        if length > self.max:
            raise ValidationError(
                ngettext(
                    "Use at most %(limit)s character: this has %(length)s. Nothing is lost "
                    "meanwhile: shorten it and send it again.",
                    "Use at most %(limit)s characters: this has %(length)s. Nothing is lost "
                    "meanwhile: shorten it and send it again.",
                    self.max,
                    limit=number_text(self.max),
                    length=number_text(length),
                )
            )


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes (no Ctrl or Cmd needed)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class WholeNumberField(IntegerField):
    """An integer a database column can hold; anything else is "not a valid number"."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not -MAX_INTEGER <= self.data <= MAX_INTEGER:
            self.data = None
            raise ValueError(self.gettext("Not a valid integer value."))


def refuse(form, refused):
    """Put a domain refusal beside its field: the field's errors when the form has it
    (each of several, for a refusal about more than one), else the message for the form
    as a whole, which is returned."""
    problems = refused.problems or {None: refused.message}
    left = []
    for name, message in problems.items():
        field = form._fields.get(name) if name else None
        if field is None:
            left.append(message)
        else:
            field.errors = [*field.errors, message]
    return " ".join(left) or None


def choices(pairs):
    """(value, label) pairs, or a {value: label} mapping, as select choices."""
    items = pairs.items() if isinstance(pairs, dict) else pairs
    return [SelectChoice(value, label) for value, label in items]


# --- Plausible dates -------------------------------------------------------------------

EARLIEST = datetime(2000, 1, 1)
FAR_AHEAD = timedelta(days=2 * 365)


def local_now():
    return local(utcnow()).replace(tzinfo=None, second=0, microsecond=0)


def not_in_the_future(form, field):
    if field.data and field.data > local(utcnow()).replace(tzinfo=None):
        raise ValidationError(_("This cannot be in the future."))
    if field.data and field.data < EARLIEST:
        raise ValidationError(_("Give a date after 2000."))


def not_in_the_past(form, field):
    if field.data and field.data < today():
        raise ValidationError(_("This date has already passed: choose today or a later date."))


def not_far_ahead(form, field):
    if field.data and field.data > today() + FAR_AHEAD:
        raise ValidationError(_("Choose a date within the next two years."))


def not_in_the_future_date(form, field):
    if field.data and field.data > today():
        raise ValidationError(_("This cannot be in the future."))
