"""WTForms classes for the account screens."""

from flask_wtf import FlaskForm
from wtforms import (
    Form,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from rj import passwords
from rj.db import MAX_INTEGER


class Limit(Length):
    """At most ``max`` characters. The page states the limit and counts as it is typed
    (see _partials/field.html); too long is refused beside the field, never cut."""

    def __init__(self, max):
        super().__init__(max=max)

    def __call__(self, form, field):
        length = len(field.data or "")
        if length > self.max:
            raise ValidationError(
                f"Use at most {self.max:,} characters: this has {length:,}. Nothing is lost "
                "meanwhile: shorten it and send it again."
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


class SignInForm(FlaskForm):
    username = StringField(
        "Username",
        validators=[DataRequired("Enter your username."), Limit(64)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Enter your password."), Limit(passwords.MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )


class SetPasswordForm(FlaskForm):
    """A new password, right after signing in with a one-time code."""

    new_password = PasswordField(
        "New password",
        description="At least 8 characters. Long phrases are good; common passwords are refused.",
        validators=[DataRequired("Choose a new password.")],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "New password again",
        validators=[
            DataRequired("Type the new password again."),
            EqualTo("new_password", "The two new passwords are not the same."),
        ],
        render_kw={"autocomplete": "new-password"},
    )

    def __init__(self, *args, username="", **kwargs):
        super().__init__(*args, **kwargs)
        self._username = username

    def validate_new_password(self, field):
        problem = passwords.problem_with(field.data or "", self._username)
        if problem:
            raise ValidationError(problem)


class ChangePasswordForm(SetPasswordForm):
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired("Enter your current password.")],
        render_kw={"autocomplete": "current-password"},
    )


class MoveForm(Form):
    """A move of a card: from a drag, the "Move to…" dialog or the no-script page."""

    to = SelectField(
        "Move to", validate_choice=False, validators=[InputRequired("Choose a stage.")]
    )
    version = WholeNumberField(
        "Card version",
        widget=HiddenInput(),
        validators=[InputRequired("The card's version is missing. Reload the board.")],
    )
    reason = TextAreaField(
        "Reason (needed for a move back)",
        validators=[
            Optional(),
            Limit(2000),
        ],
    )
    before = WholeNumberField(widget=HiddenInput(), validators=[Optional()])
    after = WholeNumberField(widget=HiddenInput(), validators=[Optional()])

    def __init__(self, formdata=None, case=None, **kwargs):
        super().__init__(formdata, **kwargs)
        from rj import workflow

        self.to.choices = [SelectChoice(s.key, s.label) for s in workflow.board_stages()]
        if case is not None and formdata is None:
            self.to.data = case.stage
            self.version.data = case.version

    def validate_to(self, field):
        from rj import workflow

        if field.data not in workflow.STAGE_KEYS:
            raise ValidationError("That is not a stage of the process.")
