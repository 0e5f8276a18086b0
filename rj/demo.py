"""Demo data: clearly fictional people and cases for trying Mend.

Never loaded into a real database.
"""

from rj import passwords, settings
from rj.db import write_tx
from rj.models import User

# username, role, password: printed by `make run`, so newcomers can sign in at once.
SIGN_INS = (
    ("coordinator", "admin", "demo-coordinator"),
    ("facilitator", "facilitator", "demo-facilitator"),
    ("farah", "facilitator", "demo-facilitator-2"),
    ("rep", "representative", "demo-representative"),
    ("participant", "participant", "demo-participant"),
    ("volunteer", "volunteer", "demo-volunteer"),
)
NAMES = {
    "coordinator": "Cora Ordinator",
    "facilitator": "Fen Facilitator",
    "farah": "Farah Demo",
    "rep": "Remy Representative",
    "participant": "Pat Participant",
    "volunteer": "Val Volunteer",
}


def load():
    """Mark the database as a demo and fill it. Call only on an empty database."""
    with write_tx():
        settings.put(settings.DEMO, True)
        for username, role, password in SIGN_INS:
            User.create(
                username=username,
                display_name=NAMES[username],
                role=role,
                password_hash=passwords.hash_password(password),
            )
