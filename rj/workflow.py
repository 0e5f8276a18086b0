"""The restorative process: its stages and the rules for entering each."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    help: str
    target_days: int | None


STAGES = (
    Stage("filed", "Filed", "A complaint or incident report has come in.", 2),
    Stage("acknowledged", "Acknowledged", "The concern was acknowledged to whoever raised it.", 5),
    Stage("investigating", "Investigating", "Impartial fact finding: statements, witnesses.", 14),
    Stage(
        "hearing", "Hearing", "A meeting with the people involved and their representatives.", 14
    ),
    Stage("restoring", "Restoring", "Restorative actions for each person, by the decision.", 30),
    Stage("community", "Community", "Restoring or transforming the community and the space.", 30),
    Stage("followup", "Follow-up", "Check-ins and reflection on the agreed timeline.", 60),
    Stage("closed", "Closed", "The record is complete.", None),
    Stage("appeal", "Appeal", "A participant asked for the decision to be reviewed.", 14),
)
STAGE_BY_KEY = {s.key: s for s in STAGES}


def board_stages():
    return STAGES
