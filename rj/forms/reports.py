"""The reports page's choice of two dates (the named periods are links)."""

from wtforms import DateField, Form
from wtforms.validators import InputRequired


class DatesForm(Form):
    """Read from the query string: a report is a page to bookmark, not a change."""

    start = DateField("First day", validators=[InputRequired("Give the first day.")])
    end = DateField("Last day", validators=[InputRequired("Give the last day.")])
