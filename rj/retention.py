"""Keeping closed cases only as long as the organisation needs them.

``RETENTION_YEARS`` (off by default) is how long a closed case is kept after it was
closed. ``mend purge --dry-run`` lists what is due; ``mend purge --by NAME`` removes
each due case's content and files, one case per transaction.

What stays is a tombstone. The audit trail's records point at their case by a
foreign key, and each record's hash covers its case's id, so the case row stays,
emptied, with its reference, kind, severity and dates, in the stage ``purged``
(on no board, in no list: a purged case is not found). The record ``case.purged``
holds the tombstone itself: the reference, the dates, the stage history (from the
trail's own records) and how much was removed; its actor and time say who purged
it and when. No earlier record changes, so the chain still verifies.

The rows the reports count stay too, with every word emptied, so that a past report
reads the same after a purge: restorative actions (kind, status, due date), check-ins
(due, held) and community assessments (whether others were impacted and actions were
recorded, as ``-``); the stage history has no tie to the case row at all. The people and
their links to accounts go, so the count of accounts in more than one case may fall.

Backups made before a purge still hold the case: see the README.
"""

import json
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from peewee import fn

from rj import audit, db, files
from rj.clock import utcnow
from rj.models import (
    PURGED,
    Acknowledgement,
    Action,
    Appeal,
    AuditRecord,
    Case,
    CaseCode,
    CaseFacts,
    CaseRedaction,
    CheckIn,
    CommunityAssessment,
    ConcernReceipt,
    Conflict,
    Entry,
    EntryFile,
    EntryRevision,
    Meeting,
    Party,
    Person,
    Reflection,
    Representative,
    WitnessDraft,
)
from rj.refusals import Refused

# The audit records that change a case's stage: (action, the stage it went to).
STAGE_ACTIONS = ("case.filed", "case.moved", "case.closed_early", "appeal.decided")


def years():
    """The retention setting in whole years, or None when closed cases are kept for ever."""
    value = current_app.config.get("RETENTION_YEARS")
    if value in (None, "", 0, False):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise Refused(
            f"MEND_RETENTION_YEARS is {value!r}: give a whole number of years (1 or more), "
            "or leave it unset to keep closed cases."
        )
    return value


def cutoff(retention_years, now=None):
    """The moment ``retention_years`` calendar years before ``now`` (29 February: the 28th)."""
    now = now or utcnow()
    try:
        return now.replace(year=now.year - retention_years)
    except ValueError:
        return now.replace(year=now.year - retention_years, day=28)


def due(retention_years, now=None):
    """Closed cases closed before the cutoff, oldest first."""
    return (
        Case.select()
        .where((Case.stage == "closed") & (Case.closed_at < cutoff(retention_years, now)))
        .order_by(Case.closed_at, Case.id)
    )


@dataclass
class Content:
    """How much of a case there is to remove."""

    entries: int
    files: int
    parties: int


def content_of(case):
    entries = Entry.select().where(Entry.case == case)
    return Content(
        entries=entries.count(),
        files=EntryFile.select().where(EntryFile.entry.in_(entries)).count(),
        parties=Party.select().where(Party.case == case).count(),
    )


def _stamp(value):
    return value.isoformat(timespec="seconds") + "Z" if isinstance(value, datetime) else value


def stage_history(case):
    """[(when, stage)] from the case's own audit records: filed, and each stage it entered."""
    history = []
    rows = (
        AuditRecord.select(AuditRecord.at, AuditRecord.action, AuditRecord.details)
        .where((AuditRecord.case == case) & AuditRecord.action.in_(STAGE_ACTIONS))
        .order_by(AuditRecord.id)
    )
    for row in rows:
        details = json.loads(row.details)
        to = {"case.filed": "filed", "case.closed_early": "closed"}.get(row.action)
        history.append([_stamp(row.at), to or details.get("to")])
    return history


def _empty_what_reports_count(case):
    """Keep the rows the reports count, with their words gone and no tie to a person of
    the case (an assessment keeps the facilitator who made it, like the audit trail)."""
    Action.update(description="", waived_reason="", party=None, owner=None).where(
        Action.case == case
    ).execute()
    CheckIn.update(notes="").where(CheckIn.case == case).execute()
    kept = "-"  # says "there was something here" to the reports, and nothing else
    for field in ("impacted", "actions"):
        column = getattr(CommunityAssessment, field)
        CommunityAssessment.update({column: kept}).where(
            (CommunityAssessment.case == case) & (fn.TRIM(column) != "")
        ).execute()
    CommunityAssessment.update(none_reason="").where(CommunityAssessment.case == case).execute()


def purge(case, by):
    """Remove the content and files of a closed ``case`` and keep its tombstone; returns
    what was removed. Refused when the case is no longer closed."""
    with db.write_tx():
        current = db.locked(Case.select().where(Case.id == case.id)).get()
        if current.stage != "closed":
            raise Refused(f"{current.reference} is no longer closed; it was not purged.")
        removed = content_of(current)
        entries = Entry.select(Entry.id).where(Entry.case == current)
        stored = [
            f.stored_name for f in EntryFile.select().where(EntryFile.entry.in_(entries))
        ]  # fmt: skip
        parties = Party.select(Party.id).where(Party.case == current)
        people = [p.person_id for p in Party.select(Party.person).where(Party.case == current)]
        # Children first, so that no row is left pointing at one removed.
        WitnessDraft.delete().where(WitnessDraft.case == current).execute()
        EntryFile.delete().where(EntryFile.entry.in_(entries)).execute()
        EntryRevision.delete().where(EntryRevision.entry.in_(entries)).execute()
        Entry.delete().where(Entry.case == current).execute()
        _empty_what_reports_count(current)
        for model in (
            Appeal,
            Acknowledgement,
            Meeting,
            Reflection,
            Conflict,
            CaseFacts,
            CaseRedaction,
            ConcernReceipt,  # a receipt code must not find the tombstone
        ):
            model.delete().where(model.case == current).execute()
        CaseCode.delete().where(CaseCode.party.in_(parties)).execute()
        Representative.delete().where(Representative.party.in_(parties)).execute()
        Party.delete().where(Party.case == current).execute()
        if people:
            still_in_a_case = Party.select(Party.person).where(Party.person.in_(people))
            Person.delete().where(
                Person.id.in_(people) & Person.id.not_in(still_in_a_case)
            ).execute()
        history = stage_history(current)
        now = utcnow()
        Case.update(
            title="",
            what_happened="",
            location="",
            people_involved="",
            raised_by="",
            safety_steps="",
            close_reason=None,
            duplicate_of=None,
            lead=None,
            appeal_return_stage=None,
            decision_communicated_on=None,
            stage=PURGED,
            stage_due_on=None,
            rank=0,
            version=Case.version + 1,
            updated_by=by.id,
            updated_at=now,
        ).where(Case.id == current.id).execute()
        audit.record(
            "case.purged",
            actor=by,
            case=current,
            reference=current.reference,
            filed_at=_stamp(current.created_at),
            closed_at=_stamp(current.closed_at),
            close_kind=current.close_kind,
            stages=history,
            entries=removed.entries,
            files=removed.files,
            parties=removed.parties,
        )
    files.delete(stored)
    db.checkpoint()  # removed text must not linger in SQLite's write-ahead log
    return removed
