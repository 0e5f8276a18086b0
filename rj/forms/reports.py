"""The reports page's choice of two dates (the named periods are links)."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, Form
from wtforms.validators import InputRequired


class DatesForm(Form):
    """Read from the query string: a report is a page to bookmark, not a change."""

    start = DateField(_l("First day"), validators=[InputRequired(_l("Give the first day."))])
    end = DateField(_l("Last day"), validators=[InputRequired(_l("Give the last day."))])
