"""Forms of the steps of the restorative process, by area (mirroring the blueprints).

Choices that depend on the case (its parties, the accounts that may act) are filled in
by the route; a value outside them is refused as "Not a valid choice", so no id from
the form is trusted unchecked.
"""

from datetime import date

from flask_wtf import FlaskForm
from wtforms.validators import ValidationError

from rj.clock import local


class CaseForm(FlaskForm):
    """A form about one case: knows the case, for checks against its dates."""

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case

    def filed_on(self):
        return local(self.case.created_at).date() if self.case else date(2000, 1, 1)

    def not_before_filing(self, field, message):
        """Refuse a date before the case was filed, with ``message`` (it says what it is)."""
        value = field.data.date() if hasattr(field.data, "date") else field.data
        if field.data and value < self.filed_on():
            raise ValidationError(message)
