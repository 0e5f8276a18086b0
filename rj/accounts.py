"""Every change to an account: creating it, its role and name, turning it off and on,
passwords and one-time set-up codes, two-factor sign-in, and handing a facilitator's
work over. The account pages, the sign-in pages, the `mend` commands and the demo all
come here, and every change is in the audit trail (who, what, when; never a password
or a code).

``by`` is the account making the change, or None for the `mend` command on the server.
Nobody chooses a password for someone else: a new account, or a lost password, gets a
one-time set-up code (shown once, kept hashed, expiring, working once).
"""

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _

from rj import audit, db, passwords, sessions, twofactor
from rj.clock import utcnow
from rj.models import (
    PURGED,
    STAFF_ROLES,
    Action,
    Appeal,
    Case,
    RecoveryCode,
    User,
    username_key,
)
from rj.refusals import Refused
from rj.vocabulary import ROLE_LABELS, ROLES

USERNAME_MAX = 64
DISPLAY_NAME_MAX = 120
# A password hash that no password matches: a one-time code once it has been used, or
# an account waiting for its set-up code to be issued.
SPENT_CODE = "!spent-one-time-code"


def reload(user):
    return User.get_by_id(user.id)


# --- Checks --------------------------------------------------------------------------


def check_username(username):
    """The username as it will be stored, or Refused."""
    username = (username or "").strip()
    if not username or len(username) > USERNAME_MAX or any(c.isspace() for c in username):
        raise Refused(
            _("A username is 1 to %(max)s characters with no spaces.", max=USERNAME_MAX),
            "username",
        )
    return username


def _check_new_username(username):
    username = check_username(username)
    if User.select().where(User.username_key == username_key(username)).exists():
        raise Refused(
            _("A user named %(username)s already exists.", username=repr(username)), "username"
        )
    return username


def _check_display_name(name, username=""):
    name = " ".join((name or "").split()) or username
    if len(name) > DISPLAY_NAME_MAX:
        raise Refused(
            _(
                "A name can be at most %(max)s characters: this has %(length)s.",
                max=DISPLAY_NAME_MAX,
                length=len(name),
            ),
            "display_name",
        )
    return name


def check_role(role):
    if role not in ROLES:
        raise Refused(_("There is no role called %(role)s.", role=repr(str(role)[:40])), "role")
    return role


def check_password(password, username="", field="password"):
    problem = passwords.problem_with(password or "", username)
    if problem:
        raise Refused(problem, field)
    return password


# --- Creating accounts ---------------------------------------------------------------


def create(username, role, password, display_name="", by=None):
    """A new account that signs in with ``password`` (the `mend` command)."""
    check_role(role)
    with db.write_tx():
        username = _check_new_username(username)
        check_password(password, username)
        user = User.create(
            username=username,
            display_name=_check_display_name(display_name, username),
            role=role,
            password_hash=passwords.hash_password(password),
        )
        audit.record("account.created", actor=by, account=user, role=role)
    return user


def create_with_code(username, role, display_name="", by=None):
    """A new account waiting for set-up: returns it and its one-time set-up code."""
    check_role(role)
    with db.write_tx():
        username = _check_new_username(username)
        user = User.create(
            username=username,
            display_name=_check_display_name(display_name, username),
            role=role,
            password_hash=SPENT_CODE,
            must_change_password=True,
        )
        audit.record("account.created", actor=by, account=user, role=role)
        code = issue_one_time_code(user, by)
    return User.get_by_id(user.id), code


# --- Changing accounts ---------------------------------------------------------------


def _change(user, by, action, end_sessions=True, **values):
    """Apply ``values`` to the account and audit ``action``; by default end its sessions."""
    with db.write_tx():
        if end_sessions:
            values["session_epoch"] = User.session_epoch + 1
            sessions.end_all(user, action)
        User.update(values).where(User.id == user.id).execute()
        fields = sorted(
            name
            for name in values
            if name not in ("session_epoch", "password_hash", "totp_secret", "totp_last_step")
        )
        audit.record(action, actor=by, account=user, fields=fields)
    return User.get_by_id(user.id)


def _active_admins():
    return User.select().where((User.role == "admin") & (User.is_active_account == True))  # noqa: E712


def _keep_an_admin(user, by, yourself):
    """Refuse to leave the organisation without an active admin, or an admin without
    their own role, whoever asks; ``yourself`` is the refusal when ``by`` is ``user``."""
    if by is not None and by.id == user.id:
        raise Refused(yourself, "role")
    if user.role == "admin" and user.is_active and _active_admins().count() <= 1:
        raise Refused(
            _(
                "%(name)s is the last active coordinator: make someone else a coordinator "
                "first, so somebody can still manage accounts.",
                name=user.display_name,
            ),
            "role",
        )


def set_role(user, role, by=None, hand_over=None):
    """A new role; ``hand_over`` (see ``hand_over``) gives a departing facilitator's work
    to others in the same transaction."""
    check_role(role)
    if role == user.role:
        raise Refused(
            _(
                "%(name)s is already a %(role)s.",
                name=user.display_name,
                role=str(ROLE_LABELS[role]).lower(),
            ),
            "role",
        )
    with db.write_tx():
        if user.role == "admin":
            _keep_an_admin(
                user,
                by,
                _("You cannot remove the coordinator role from yourself: ask another coordinator."),
            )
        elif by is not None and by.id == user.id:
            raise Refused(_("You cannot change your own role: ask another coordinator."), "role")
        _hand_over(user, by, hand_over)
        return _change(user, by, "account.role_changed", role=role)


def set_display_name(user, name, by=None):
    """The name shown in Mend; the account's sessions go on."""
    name = _check_display_name(name)
    if not name:
        raise Refused(_("Give the name to show."), "display_name")
    return _change(user, by, "account.renamed", end_sessions=False, display_name=name)


def deactivate(user, by=None, hand_over=None):
    """The account can no longer sign in; its sessions end at once. What it wrote stays.
    ``hand_over`` (see ``hand_over``) gives its work to others in the same transaction."""
    if not user.is_active:
        raise Refused(_("%(name)s's account is already turned off.", name=user.display_name))
    with db.write_tx():
        _keep_an_admin(user, by, _("You cannot turn off yourself: ask another coordinator."))
        _hand_over(user, by, hand_over)
        return _change(user, by, "account.deactivated", is_active_account=False)


def reactivate(user, by=None):
    if user.is_active:
        raise Refused(_("%(name)s's account is already on.", name=user.display_name))
    return _change(user, by, "account.reactivated", is_active_account=True)


# --- Passwords and set-up codes ------------------------------------------------------


def issue_one_time_code(user, by=None):
    """A set-up code that signs in once, after which the account must choose a password;
    it expires after ``SETUP_CODE_DAYS``. Returned to show once; only its hash is kept.
    Any earlier code, the password and the sessions stop working."""
    code = passwords.one_time_code()
    days = current_app.config["SETUP_CODE_DAYS"]
    _change(
        user,
        by,
        "account.code_issued",
        password_hash=passwords.hash_password(code),
        must_change_password=True,
        setup_code_expires_at=utcnow() + timedelta(days=days),
    )
    return code


def code_expired(user):
    """Has the set-up code this account would sign in with expired?"""
    return (
        user.must_change_password
        and user.setup_code_expires_at is not None
        and utcnow() > user.setup_code_expires_at
    )


def waiting_for_setup(user):
    return user.is_active and user.must_change_password


def signed_in(user, password):
    """After a successful sign-in: note the time, upgrade an old hash (``password`` is None
    after a second factor), spend a one-time code."""
    with db.write_tx():
        values = {User.last_sign_in_at: utcnow()}
        if user.must_change_password:
            # A one-time code works once: this session may set a password, nothing more.
            values[User.password_hash] = SPENT_CODE
            values[User.setup_code_expires_at] = None
            audit.record("account.code_used", actor=user, account=user)
        elif password is not None and passwords.needs_rehash(user.password_hash):
            values[User.password_hash] = passwords.hash_password(password)
        User.update(values).where(User.id == user.id).execute()
    return User.get_by_id(user.id)


def change_password(user, new_password):
    """The user's own new password; ends their sessions (the caller begins a new one)."""
    check_password(new_password, user.username, "new_password")
    return _change(
        user,
        user,
        "account.password_changed",
        password_hash=passwords.hash_password(new_password),
        must_change_password=False,
    )


# --- Two-factor sign-in --------------------------------------------------------------


def turn_on_two_factor(user, secret, code):
    """Turn on two-factor sign-in with ``secret`` once ``code`` proves the app has it.
    Returns the ten recovery codes, to show once. Other sessions end."""
    step = twofactor.matching_step(secret, code)
    if step is None:
        raise Refused(
            _(
                "That code does not match: check the time on your phone and enter the code "
                "your app shows now."
            ),
            "code",
        )
    codes = twofactor.new_recovery_codes()
    with db.write_tx():
        RecoveryCode.delete().where(RecoveryCode.user == user.id).execute()
        RecoveryCode.insert_many(
            [{"user": user.id, "code_hash": twofactor.recovery_digest(c)} for c in codes]
        ).execute()
        _change(
            user,
            user,
            "account.two_factor_on",
            totp_secret=secret,
            totp_enabled_at=utcnow(),
            totp_last_step=step,
        )
    return codes


def reset_two_factor(user, by=None):
    """Turn two-factor sign-in off (a lost phone): the account sets it up again at its
    next sign-in when its role needs it. Its sessions end."""
    user = reload(user)
    if not twofactor.enabled(user):
        raise Refused(_("%(name)s has not turned on two-factor sign-in.", name=user.display_name))
    with db.write_tx():
        RecoveryCode.delete().where(RecoveryCode.user == user.id).execute()
        return _change(
            user,
            by,
            "account.two_factor_reset",
            totp_secret=None,
            totp_enabled_at=None,
            totp_last_step=None,
        )


def second_factor(user, code):
    """Check a two-factor code, or a recovery code, for ``user``; each works once.
    Returns "code" or "recovery" when accepted, None when not."""
    with db.write_tx():
        current = db.locked(User.select().where(User.id == user.id)).get()
        if not twofactor.enabled(current):
            return None
        step = twofactor.matching_step(current.totp_secret, code, after=current.totp_last_step)
        if step is not None:
            User.update(totp_last_step=step).where(User.id == user.id).execute()
            return "code"
        used = (
            RecoveryCode.update(used_at=utcnow())
            .where(
                (RecoveryCode.user == user.id)
                & (RecoveryCode.code_hash == twofactor.recovery_digest(code))
                & RecoveryCode.used_at.is_null()
            )
            .execute()
        )
        if used:
            audit.record("account.recovery_code_used", actor=user, account=user)
            return "recovery"
    return None


def recovery_codes_left(user):
    return (
        RecoveryCode.select()
        .where((RecoveryCode.user == user.id) & RecoveryCode.used_at.is_null())
        .count()
    )


# --- Handing work over ---------------------------------------------------------------


@dataclass
class Duties:
    """What a facilitator holds that nobody else can act on: open cases they lead, open
    actions they own, appeals they review."""

    cases: list
    actions: list
    appeals: list

    def __bool__(self):
        return bool(self.cases or self.actions or self.appeals)


def _open_work(held_by):
    """The open cases, open actions and undecided appeals whose lead, owner or reviewer
    column ``held_by`` accepts (a function of the column giving a condition)."""
    open_case = Case.stage.not_in(("closed", PURGED))
    return Duties(
        cases=list(Case.select().where(held_by(Case.lead) & open_case).order_by(Case.id)),
        actions=list(
            Action.select(Action, Case)
            .join(Case)
            .where(held_by(Action.owner) & (Action.status == "open") & open_case)
            .order_by(Action.id)
        ),
        appeals=list(
            Appeal.select(Appeal, Case)
            .join(Case)
            .where(held_by(Appeal.reviewer) & Appeal.outcome.is_null())
            .order_by(Appeal.id)
        ),
    )


def duties(user):
    return _open_work(lambda column: column == user.id)


def _hand_over(user, by, new_holders):
    """Give ``user``'s duties to the accounts ``new_holders`` names: a mapping of
    ("case", id), ("action", id) or ("appeal", id) to an account. What it leaves out
    stays with ``user`` and is flagged on the board and the Due page. All or nothing: a
    refusal names the field (``case_<id>``, ``action_<id>``, ``appeal_<id>``)."""
    from rj import cases

    if not new_holders:
        return
    held = duties(user)
    steps = [("case", c, cases.set_lead) for c in held.cases]
    steps += [("action", a, cases.set_action_owner) for a in held.actions]
    steps += [("appeal", a, cases.set_appeal_reviewer) for a in held.appeals]
    for kind, thing, give in steps:
        holder = new_holders.get((kind, thing.id))
        if holder is None:
            continue
        if holder.id == user.id:
            raise Refused(_("Choose somebody else."), f"{kind}_{thing.id}")
        try:
            give(thing, holder, by)
        except Refused as refused:
            raise Refused(refused.message, f"{kind}_{thing.id}") from refused


def unattended():
    """Open work held by an account that cannot act on it (turned off, or no longer a
    facilitator): cases without a lead who can lead, actions without an owner who can see
    them done, appeals without a reviewer who can decide. For the board and Due page."""
    gone = User.select(User.id).where(
        (User.is_active_account == False) | User.role.not_in(STAFF_ROLES)  # noqa: E712
    )
    return _open_work(lambda column: column.in_(gone))
