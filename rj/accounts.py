"""Every change to an account: creating it, its role, turning it off and on, passwords and
one-time codes. The sign-in pages, the `mend` commands and the demo all come here, and
every change is in the audit trail (who, what, when; never a password or a code).

``by`` is the account making the change, or None for the `mend` command on the server.
"""

from rj import audit, db, passwords
from rj.clock import utcnow
from rj.models import User, username_key
from rj.refusals import Refused
from rj.vocabulary import ROLES

USERNAME_MAX = 64
DISPLAY_NAME_MAX = 120
# A password hash that no password matches: a one-time code once it has been used.
SPENT_CODE = "!spent-one-time-code"


def check_username(username):
    """The username as it will be stored, or Refused."""
    username = (username or "").strip()
    if not username or len(username) > USERNAME_MAX or any(c.isspace() for c in username):
        raise Refused(f"A username is 1 to {USERNAME_MAX} characters with no spaces.", "username")
    return username


def check_password(password, username="", field="password"):
    problem = passwords.problem_with(password or "", username)
    if problem:
        raise Refused(problem, field)
    return password


def create(username, role, password, display_name="", by=None):
    """A new account that signs in with ``password``."""
    username = check_username(username)
    if role not in ROLES:
        raise Refused(f"There is no role called {role!r}.", "role")
    check_password(password, username)
    with db.write_tx():
        if User.select().where(User.username_key == username_key(username)).exists():
            raise Refused(f"A user named {username!r} already exists.", "username")
        user = User.create(
            username=username,
            display_name=((display_name or "").strip() or username)[:DISPLAY_NAME_MAX],
            role=role,
            password_hash=passwords.hash_password(password),
        )
        audit.record("account.created", actor=by, account=user.id, role=role)
    return user


def _change(user, by, action, **values):
    """Apply ``values`` to the account, end its sessions, and audit ``action``."""
    with db.write_tx():
        values["session_epoch"] = User.session_epoch + 1  # every change ends its sessions
        User.update(values).where(User.id == user.id).execute()
        fields = sorted(name for name in values if name not in ("session_epoch", "password_hash"))
        audit.record(action, actor=by, account=user.id, fields=fields)
    return User.get_by_id(user.id)


def set_role(user, role, by=None):
    if role not in ROLES:
        raise Refused(f"There is no role called {role!r}.", "role")
    return _change(user, by, "account.role_changed", role=role)


def deactivate(user, by=None):
    """The account can no longer sign in; its sessions end at their next request."""
    return _change(user, by, "account.deactivated", is_active_account=False)


def reactivate(user, by=None):
    return _change(user, by, "account.reactivated", is_active_account=True)


def issue_one_time_code(user, by=None):
    """A code that signs in once, after which the account must choose a new password.
    Returned to show once; only its hash is kept."""
    code = passwords.one_time_code()
    _change(
        user,
        by,
        "account.code_issued",
        password_hash=passwords.hash_password(code),
        must_change_password=True,
    )
    return code


def signed_in(user, password):
    """After a successful sign-in: note the time, upgrade an old hash, spend a one-time code."""
    with db.write_tx():
        values = {User.last_sign_in_at: utcnow()}
        if user.must_change_password:
            # A one-time code works once: this session may set a password, nothing more.
            values[User.password_hash] = SPENT_CODE
            audit.record("account.code_used", actor=user, account=user.id)
        elif passwords.needs_rehash(user.password_hash):
            values[User.password_hash] = passwords.hash_password(password)
        User.update(values).where(User.id == user.id).execute()
    return User.get_by_id(user.id)


def change_password(user, new_password):
    """The user's own new password; ends their other sessions."""
    check_password(new_password, user.username, "new_password")
    return _change(
        user,
        user,
        "account.password_changed",
        password_hash=passwords.hash_password(new_password),
        must_change_password=False,
    )
