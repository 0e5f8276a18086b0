"""Forms of timeline entries: adding, correcting and redacting."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError
from wtforms.widgets import HiddenInput

from rj.entries import BODY_MAX, REASON_MAX, WITNESS_NAME_MAX, WITNESS_RELATION_MAX
from rj.forms import Limit, WholeNumberField, choices
from rj.vocabulary import AUDIENCE_LABELS, ENTRY_KIND_LABELS, SIDE_LABELS


def party_choices(case):
    from rj.models import Party, Person

    parties = Party.select(Party, Person).join(Person).where(Party.case == case).order_by(Party.id)
    return [SelectChoice("", _("No party"))] + [
        SelectChoice(str(p.id), f"{p.person.name} ({SIDE_LABELS.get(p.side, p.side).lower()})")
        for p in parties
    ]


class WitnessFields:
    """The witness's identity: facilitators only, whatever the entry's audience."""

    witness_name = StringField(
        _l("Witness's name"),
        description=_l("Seen by facilitators only, whoever else may read the account."),
        validators=[Optional(), Limit(WITNESS_NAME_MAX)],
        render_kw={"autocomplete": "off"},
    )
    witness_anonymous = BooleanField(_l("The witness prefers not to say who they are"))
    witness_relation = StringField(
        _l("How they relate to what happened"),
        description=_l("For example: saw it from the kitchen, staff on shift, friend of a party."),
        validators=[Optional(), Limit(WITNESS_RELATION_MAX)],
        render_kw={"autocomplete": "off"},
    )

    def witness_missing(self):
        """Errors for the witness fields of a witness account (the form adds them)."""
        ok = True
        name = (self.witness_name.data or "").strip()
        if self.witness_anonymous.data and name:
            self.witness_name.errors.append(
                _('Give a name or tick "prefers not to say", not both.')
            )
            ok = False
        elif not self.witness_anonymous.data and not name:
            self.witness_name.errors.append(
                _('Give the witness\'s name, or tick "prefers not to say".')
            )
            ok = False
        if not (self.witness_relation.data or "").strip():
            self.witness_relation.errors.append(_("Say how the witness relates to what happened."))
            ok = False
        return ok


class EntryForm(WitnessFields, FlaskForm):
    kind = SelectField(
        _l("Kind of entry"),
        choices=choices(ENTRY_KIND_LABELS),
        validators=[InputRequired(_l("Choose what kind of entry this is."))],
    )
    body = TextAreaField(
        _l("The entry"),
        description=_l("In the words of the person who gave it, where possible."),
        validators=[DataRequired(_l("Write the entry.")), Limit(BODY_MAX)],
        render_kw={"rows": 8},
    )
    audience = SelectField(
        _l("Who may see it"),
        description=_l(
            "The default: a witness account is for facilitators only; a statement is "
            "shared with its party when you choose one; anything else is for facilitators only."
        ),
        choices=[SelectChoice("", _l("The default for this kind"))]
        + [SelectChoice(k, label) for k, label in AUDIENCE_LABELS.items()],
    )
    party = SelectField(
        _l("Party"),
        description=_l("Whose statement this is, or the side that may see it."),
        choices=[SelectChoice("", _l("No party"))],
    )
    files = MultipleFileField(
        _l("Files"),
        description=_l(
            "Evidence only: JPEG, PNG, PDF or plain text. "
            "Photos are saved without their location and other hidden data."
        ),
    )

    def __init__(self, *args, case=None, max_bytes=None, **kwargs):
        super().__init__(*args, **kwargs)
        if case is not None:
            self.party.choices = party_choices(case)
        if max_bytes:
            from rj.files import human_size

            each = _("Up to %(size)s each.", size=human_size(max_bytes))
            self.files.description = f"{self.files.description} {each}"

    def chosen_files(self):
        """The file inputs that carry a file (an empty input sends one with no name)."""
        return [f for f in (self.files.data or []) if f and getattr(f, "filename", "")]

    def validate_party(self, field):
        if self.audience.data == "party" and not field.data:
            raise ValidationError(_("Choose which party may see it."))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.kind.data == "witness":
            ok = self.witness_missing() and ok
        if self.chosen_files() and self.kind.data != "evidence":
            self.files.errors = [*self.files.errors, _("Only evidence can carry files.")]
            ok = False
        return ok


class CorrectForm(WitnessFields, FlaskForm):
    body = TextAreaField(
        _l("The corrected entry"),
        validators=[DataRequired(_l("Write the corrected entry.")), Limit(BODY_MAX)],
        render_kw={"rows": 8},
    )
    reason = TextAreaField(
        _l("Why it is corrected"),
        description=_l("Kept with the correction, for everyone who reads its history."),
        validators=[DataRequired(_l("Say why this is being corrected.")), Limit(REASON_MAX)],
        render_kw={"rows": 2},
    )
    revision = WholeNumberField(widget=HiddenInput(), validators=[InputRequired()])

    def __init__(self, *args, kind="note", **kwargs):
        super().__init__(*args, **kwargs)
        self._kind = kind

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self._kind == "witness":
            ok = self.witness_missing() and ok
        return ok


class RedactForm(FlaskForm):
    reason = TextAreaField(
        _l("Why it is redacted"),
        description=_l("Kept with the redaction. Do not repeat what is being removed."),
        validators=[DataRequired(_l("Say why this entry is redacted.")), Limit(REASON_MAX)],
        render_kw={"rows": 3},
    )
