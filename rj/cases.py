"""The case record: filing a case and adding what each stage needs.

Plain functions over the models; each write is one transaction with its audit
record. The board's rules (rj/workflow.py) read what these write.
"""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from rj import audit, db, entries
from rj.clock import local, today, utcnow
from rj.entries import REDACTED
from rj.i18n import number_text
from rj.models import (
    FACT_FIELDS,
    TEXT_FACT_FIELDS,
    Acknowledgement,
    Action,
    Appeal,
    Case,
    CaseCode,
    CaseFacts,
    CaseRedaction,
    CheckIn,
    CommunityAssessment,
    Conflict,
    Meeting,
    Party,
    Person,
    ReferenceCounter,
    Reflection,
    Representative,
)
from rj.refusals import Refused, Stale
from rj.vocabulary import (
    ACTION_KINDS,
    ASSESSED_SEVERITIES,
    RAISED_VIA_LABELS,
    SEVERITIES,
    SEVERITY_LABELS,
    SIDES,
)
from rj.workflow import _rank_between, lead_problem, record_stage, stage_due_on


def next_reference(year):
    """``RJ-<year>-<4-digit sequence>``, from a counter row locked for the update; never reused."""
    ReferenceCounter.insert(year=year, last=0).on_conflict_ignore().execute()
    db.locked(ReferenceCounter.select().where(ReferenceCounter.year == year)).get()
    ReferenceCounter.update(last=ReferenceCounter.last + 1).where(
        ReferenceCounter.year == year
    ).execute()
    last = ReferenceCounter.get_by_id(year).last
    return f"RJ-{year}-{last:04d}"


# The most each fact may hold: the intake and correction forms show and check the same.
FACT_LIMITS = {
    "title": 120,
    "what_happened": 20000,
    "location": 200,
    "people_involved": 5000,
    "raised_by": 200,
    "safety_steps": 5000,
}
FACT_LABELS = {
    "title": _l("Neutral short title"),
    "what_happened": _l("What happened"),
    "occurred_at": _l("When it happened"),
    "location": _l("Where it happened"),
    "people_involved": _l("Who was involved"),
    "raised_by": _l("Raised by"),
    "safety_steps": _l("Immediate safety steps taken"),
}


def _clean_facts(values):
    """The facts stripped and checked against their limits, or Refused beside the field."""
    facts = {}
    for name in FACT_FIELDS:
        value = values.get(name)
        if name == "occurred_at":
            if value is None:
                raise Refused(_("Say when it happened."), name)
            facts[name] = value
            continue
        value = (value or "").strip()
        if len(value) > FACT_LIMITS[name]:
            raise Refused(
                _(
                    "%(label)s can be at most %(limit)s characters (this is %(length)s).",
                    label=FACT_LABELS[name],
                    limit=number_text(FACT_LIMITS[name]),
                    length=number_text(len(value)),
                ),
                name,
            )
        facts[name] = value
    if not facts["title"]:
        raise Refused(_("Give the case a short neutral title."), "title")
    return facts


def file_case(
    by,
    kind,
    title,
    what_happened,
    occurred_at,
    location,
    severity,
    safety_steps="",
    raised_by="",
    people_involved="",
    raised_via="staff",
):
    """A new case in Filed, with its facts as revision 1.

    What happened and where may be left for a facilitator to write (a quick report from
    the tablet carries only neutral facts); the Filed rule then asks for them. Staff
    filing a case choose its severity; a concern raised any other way arrives "not yet
    assessed" and waits in the board's notice until a facilitator opens it. ``by`` is
    None for a concern raised publicly (recorded with no client address: see
    ``audit.publicly``).
    """
    if raised_via not in RAISED_VIA_LABELS:
        raise Refused(_("That is not a way a case comes in."), "raised_via")
    allowed = ASSESSED_SEVERITIES if raised_via == "staff" else SEVERITIES
    if severity not in allowed:
        raise Refused(_("Choose a severity."), "severity")
    facts = _clean_facts(
        {
            "title": title,
            "what_happened": what_happened,
            "occurred_at": occurred_at,
            "location": location,
            "people_involved": people_involved,
            "raised_by": raised_by,
            "safety_steps": safety_steps,
        }
    )
    with db.write_tx():
        now = utcnow()
        case = Case.create(
            reference=next_reference(today().year),
            kind=kind,
            severity=severity,
            stage="filed",
            created_at=now,
            stage_entered_at=now,  # the acknowledgement target runs from the moment it came in
            stage_due_on=stage_due_on("filed", today()),
            rank=_rank_between("filed", None, None, 0),
            created_by=by,
            updated_by=by,
            facts_revision=1,
            raised_via=raised_via,
            # Staff have the case in front of them as they file it.
            opened_at=now if raised_via == "staff" else None,
            **facts,
        )
        CaseFacts.create(case=case, number=1, author=by, created_at=now, **facts)
        record_stage(case, "filed", by, now, case.stage_due_on, "filed")
        action = "case.raised_publicly" if raised_via == "public" else "case.filed"
        audit.record(
            action, actor=by, case=case, kind=kind, severity=severity, raised_via=raised_via
        )
        return case


def set_severity(case, by, severity):
    """A facilitator's assessment of the case's severity (never back to "not yet
    assessed")."""
    if severity not in ASSESSED_SEVERITIES:
        raise Refused(_("Choose low, medium, high or urgent."), "severity")
    with db.write_tx():
        current = db.locked(Case.select().where(Case.id == case.id)).get()
        if current.severity == severity:
            raise Refused(
                _(
                    "The severity is already %(severity)s.",
                    severity=SEVERITY_LABELS[severity].lower(),
                ),
                "severity",
            )
        now = utcnow()
        Case.update(severity=severity, updated_at=now, updated_by=by.id).where(
            Case.id == current.id
        ).execute()
        audit.record(
            "case.severity_set",
            actor=by,
            case=current,
            **{"from": current.severity, "to": severity},
        )
    return Case.get_by_id(case.id)


def mark_opened(case):
    """A facilitator opened the case: it leaves the board's notice of new concerns. The
    view itself is recorded by the route; the board's poll sees the change."""
    if case.opened_at is not None:
        return
    now = utcnow()
    Case.update(opened_at=now, updated_at=now).where(
        (Case.id == case.id) & Case.opened_at.is_null()
    ).execute()


def facts_of(case):
    """The case's current facts, by name."""
    return {name: getattr(case, name) for name in FACT_FIELDS}


def reload(case):
    return Case.get_by_id(case.id)


def redactions(case):
    return CaseRedaction.select().where(CaseRedaction.case == case).order_by(CaseRedaction.id)


def fact_revisions(case):
    return CaseFacts.select().where(CaseFacts.case == case).order_by(CaseFacts.number)


def correct_facts(case, by, values, reason, based_on):
    """A correction of the case's facts: a new revision with its author and reason.

    ``based_on`` is the revision the corrector saw; a newer one is Stale.
    """
    reason = (reason or "").strip()
    facts = _clean_facts(values)
    if not reason:
        raise Refused(_("Say why the facts are being corrected."), "reason")
    with db.write_tx():
        current = db.locked(Case.select().where(Case.id == case.id)).get()
        if current.facts_revision != based_on:
            raise Stale(
                _(
                    "The facts of this case were corrected by someone else while you were "
                    "editing. Check the latest version below and try again."
                )
            )
        changed = sorted(name for name in FACT_FIELDS if facts[name] != getattr(current, name))
        if not changed:
            raise Refused(_("Nothing was changed."), "what_happened")
        number = current.facts_revision + 1
        now = utcnow()
        CaseFacts.create(
            case=current, number=number, author=by, created_at=now, reason=reason, **facts
        )
        Case.update(facts_revision=number, updated_at=now, updated_by=by.id, **facts).where(
            Case.id == current.id
        ).execute()
        audit.record(
            "case.facts_corrected", actor=by, case=current, revision=number, fields=changed
        )
    return Case.get_by_id(case.id)


def redact_facts(case, by, fields, reason):
    """Replace the chosen facts with ``REDACTED`` in the case and every revision of its
    facts, keeping who, when, why and a keyed digest of what was removed. A facilitator
    can then write new facts as a correction."""
    fields = [name for name in TEXT_FACT_FIELDS if name in set(fields or ())]
    reason = (reason or "").strip()
    if not fields:
        raise Refused(_("Choose which facts to redact."), "fields")
    if not reason:
        raise Refused(_("Say why these facts are redacted."), "reason")
    with db.write_tx():
        current = db.locked(Case.select().where(Case.id == case.id)).get()
        removed = [
            getattr(revision, name)
            for revision in fact_revisions(current)
            for name in fields
            if getattr(revision, name) not in ("", REDACTED)
        ]
        if not removed:
            raise Refused(_("Those facts hold nothing to redact."), "fields")
        blank = {name: REDACTED for name in fields}
        CaseFacts.update(blank).where(CaseFacts.case == current.id).execute()
        now = utcnow()
        Case.update(updated_at=now, updated_by=by.id, **blank).where(
            Case.id == current.id
        ).execute()
        CaseRedaction.create(
            case=current,
            fields=",".join(fields),
            by=by,
            at=now,
            reason=reason,
            digest=entries.redaction_digest(removed),
        )
        audit.record("case.facts_redacted", actor=by, case=current, fields=fields)
    db.checkpoint()  # the removed text must not linger in the write-ahead log
    return Case.get_by_id(case.id)


def acknowledge(case, by, at, method, note="", recorded_by=None):
    """``by`` acknowledged the concern; ``recorded_by`` (default ``by``) is who wrote it down."""
    recorded_by = recorded_by or by
    with db.write_tx():
        ack = Acknowledgement.create(case=case, by=by, at=at, method=method, note=note)
        case.touch(recorded_by)
        audit.record(
            "acknowledgement.created", actor=recorded_by, case=case, method=method, by=by.id
        )
        return ack


def add_person(name, pronouns="", contact="", user=None):
    return Person.create(name=name.strip(), pronouns=pronouns, contact=contact, user=user)


def add_party(case, person, side, by):
    with db.write_tx():
        party = Party.create(case=case, person=person, side=side)
        case.touch(by)
        audit.record("party.added", actor=by, case=case, side=side, person=person.id)
        return party


def add_representative(party, user, by):
    with db.write_tx():
        rep = Representative.create(party=party, user=user)
        audit.record(
            "representative.added", actor=by, case=party.case, party=party.id, user=user.id
        )
        return rep


def declare_conflict(case, user, note=""):
    with db.write_tx():
        conflict = Conflict.create(case=case, user=user, note=note)
        audit.record("conflict.declared", actor=user, case=case)
        return conflict


def set_lead(case, lead, by):
    with db.write_tx():
        # Checked under the write lock: a party added a moment ago counts.
        problem = lead_problem(case, lead)
        if problem:
            raise Refused(
                _(
                    "%(name)s cannot lead this case: %(problem)s.",
                    name=lead.display_name,
                    problem=problem,
                ),
                "lead",
            )
        Case.update(lead=lead.id, updated_at=utcnow(), updated_by=by.id).where(
            Case.id == case.id
        ).execute()
        audit.record("case.lead_set", actor=by, case=case, lead=lead.id)
    case.lead = lead
    return case


def schedule_meeting(case, by, scheduled_at, place, attendees):
    with db.write_tx():
        meeting = Meeting.create(
            case=case, scheduled_at=scheduled_at, place=place, attendees=attendees, created_by=by
        )
        case.touch(by)
        audit.record("meeting.scheduled", actor=by, case=case, meeting=meeting.id)
        return meeting


def meeting_held(meeting):
    """Has the meeting's day come (in the organisation's time zone)?"""
    return local(meeting.scheduled_at).date() <= today()


def record_meeting_outcome(meeting, by, minutes, outcome):
    """The meeting's minutes and outcome, once it was held; recorded once: a second record
    is refused as stale."""
    if not meeting_held(meeting):
        raise Refused(
            _("This meeting has not happened yet: record its outcome once it has been held.")
        )
    with db.write_tx():
        recorded = (
            Meeting.update(minutes=minutes, outcome=outcome, outcome_recorded_at=utcnow())
            .where((Meeting.id == meeting.id) & Meeting.outcome_recorded_at.is_null())
            .execute()
        )
        if recorded != 1:
            raise Stale(
                _(
                    "This meeting's outcome was recorded by someone else a moment ago; "
                    "yours was not saved. Check it on the case page."
                )
            )
        meeting.case.touch(by)
        audit.record(
            "meeting.outcome_recorded",
            actor=by,
            case=meeting.case,
            meeting=meeting.id,
            fields=["minutes", "outcome"],
        )


def action_kind_problem(kind, party):
    """Why an action of ``kind`` does not suit ``party``'s side, or None: support or a
    service for someone harmed or impacted; repair, learning, agreed boundaries, time
    away or other for the person who caused harm."""
    if kind not in ACTION_KINDS:
        return _("Choose a kind of action.")
    if party is None or party.side in ACTION_KINDS[kind][1]:
        return None
    if party.side == "caused":
        return _(
            "For the person who caused harm, choose repair, learning, agreed boundaries, "
            "time away from the space or other."
        )
    if party.side == "harmed":
        return _("For someone harmed, choose support or a service.")
    return _("For an impacted community member, choose support or a service.")


def add_action(case, by, kind, description, owner, due_on, party=None):
    if party is not None and party.case_id != case.id:
        raise Refused(_("Choose a person in this case."), "party")
    problem = action_kind_problem(kind, party)
    if problem:
        raise Refused(problem, "kind")
    with db.write_tx():
        action = Action.create(
            case=case, party=party, kind=kind, description=description, owner=owner, due_on=due_on
        )
        case.touch(by)
        audit.record("action.added", actor=by, case=case, action_id=action.id, kind=kind)
        return action


def set_action_status(action, by, status, waived_reason=""):
    if status == "waived" and not waived_reason.strip():
        raise Refused(_("Waiving an action needs a reason."), "waived_reason")
    with db.write_tx():
        Action.update(status=status, waived_reason=waived_reason.strip()).where(
            Action.id == action.id
        ).execute()
        action.case.touch(by)
        audit.record(
            "action.status_set", actor=by, case=action.case, action_id=action.id, status=status
        )


def communicate_decision(case, by, on):
    with db.write_tx():
        Case.update(decision_communicated_on=on, updated_at=utcnow(), updated_by=by.id).where(
            Case.id == case.id
        ).execute()
        audit.record("decision.communicated", actor=by, case=case, on=on.isoformat())


def assess_community(case, by, impacted="", actions="", none_reason=""):
    if not (impacted.strip() or actions.strip() or none_reason.strip()):
        raise Refused(_('Describe who was impacted, or say "none" with a reason.'), "impacted")
    with db.write_tx():
        assessment = CommunityAssessment.create(
            case=case, impacted=impacted, actions=actions, none_reason=none_reason, by=by
        )
        case.touch(by)
        audit.record("community.assessed", actor=by, case=case)
        return assessment


def add_checkin(case, by, due_on):
    with db.write_tx():
        checkin = CheckIn.create(case=case, due_on=due_on)
        case.touch(by)
        audit.record("checkin.scheduled", actor=by, case=case, checkin=checkin.id)
        return checkin


def hold_checkin(checkin, by, notes=""):
    with db.write_tx():
        CheckIn.update(held_at=utcnow(), notes=notes).where(CheckIn.id == checkin.id).execute()
        checkin.case.touch(by)
        audit.record("checkin.held", actor=by, case=checkin.case, checkin=checkin.id)


def record_reflection(case, by, repaired, learned):
    with db.write_tx():
        reflection = Reflection.create(case=case, repaired=repaired, learned=learned, by=by)
        case.touch(by)
        audit.record("reflection.recorded", actor=by, case=case)
        return reflection


def check_reviewer(case, reviewer):
    """Refused for a reviewer who may not review ``case``'s appeal: the lead, a party, or
    someone who declared a conflict (the same rule as for a lead, and not the lead)."""
    problem = lead_problem(case, reviewer)
    if problem is None and reviewer.id == case.lead_id:
        problem = _("they are the lead facilitator")
    if problem:
        raise Refused(
            _(
                "%(name)s cannot review this appeal: %(problem)s.",
                name=reviewer.display_name,
                problem=problem,
            ),
            "reviewer",
        )


def file_appeal(case, by, grounds, reviewer, party=None):
    if reviewer is not None:
        check_reviewer(case, reviewer)
    with db.write_tx():
        appeal = Appeal.create(
            case=case, party=party, grounds=grounds, reviewer=reviewer, from_stage=case.stage
        )
        case.touch(by)
        audit.record("appeal.filed", actor=by, case=case, appeal=appeal.id)
        return appeal


# --- The process forms -------------------------------------------------------


def add_party_person(case, by, name, side, pronouns="", contact="", user=None):
    """A new person record and their place in the case, in one transaction. An account
    is linked only once per case, and never the lead facilitator's."""
    if side not in SIDES:
        raise Refused(_("Choose a side."), "side")
    with db.write_tx():
        if user is not None:
            already = (
                Party.select()
                .join(Person)
                .where((Party.case == case) & (Person.user == user.id))
                .exists()
            )
            if already:
                raise Refused(
                    _("%(name)s is already a party to this case.", name=user.display_name),
                    "account",
                )
            lead_id = Case.select(Case.lead).where(Case.id == case.id).scalar()
            if user.id == lead_id:
                raise Refused(
                    _(
                        "%(name)s leads this case: set another lead facilitator first.",
                        name=user.display_name,
                    ),
                    "account",
                )
        person = Person.create(
            name=name.strip(), pronouns=pronouns.strip(), contact=contact.strip(), user=user
        )
        return add_party(case, person, side, by)


def add_representatives(party, users, by):
    """One or more representatives for ``party``, all or none."""
    with db.write_tx():
        reps = [add_representative(party, user, by) for user in users]
        party.case.touch(by)
        return reps


def appeal_case(case, by, grounds, reviewer, party=None):
    """File an appeal and move the case into Appeal, all or nothing.

    Refused for a reviewer who may not review it (beside the reviewer) or a case that
    cannot enter Appeal (its stage, the window); Stale on a race.
    """
    from rj import workflow

    with db.write_tx():
        appeal = file_appeal(case, by, grounds.strip(), reviewer, party=party)
        workflow.move(case, "appeal", by, case.version)
        return appeal


# --- Access for the people in a case ---------------------------------------------------

CASE_CODE_KINDS = ("party", "representative")
CASE_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def give_new_account(party, by, username, display_name, kind):
    """An account for the person of ``party`` (a participant linked to their person record)
    or for a new representative of it, waiting for set-up: returns it and its code."""
    from rj import accounts

    if kind not in CASE_CODE_KINDS:
        raise Refused(_("Choose whom the account is for."), "kind")
    role = "participant" if kind == "party" else "representative"
    with db.write_tx():
        person = Person.get_by_id(party.person_id)
        if kind == "party" and person.user_id is not None:
            raise Refused(_("%(name)s has an account in this case already.", name=person.name))
        user, code = accounts.create_with_code(username, role, display_name, by)
        if kind == "party":
            _link_person(party, user, by)
        else:
            add_representative(party, user, by)
        Case.get_by_id(party.case_id).touch(by)
    return user, code


def _link_person(party, user, by):
    """The person of ``party`` is ``user``: their account sees the case as theirs."""
    Person.update(user=user.id).where(Person.id == party.person_id).execute()
    audit.record("party.account_linked", actor=by, case=party.case_id, party=party.id)


def _code_digest(code):
    return hashlib.sha256(
        "".join((code or "").upper().split()).replace("-", "").encode()
    ).hexdigest()


def issue_case_code(party, by, kind):
    """A one-time case code for someone who already has an account: entered under "My
    cases" while signed in, it links their account to the person of ``party`` (``kind``
    "party") or makes them its representative. Returned to show once; only its hash is
    kept. Expires after ``SETUP_CODE_DAYS``."""
    if kind not in CASE_CODE_KINDS:
        raise Refused(_("Choose whom the code is for."), "kind")
    if kind == "party" and Person.get_by_id(party.person_id).user_id is not None:
        raise Refused(_("%(name)s has an account in this case already.", name=party.person.name))
    raw = "".join(secrets.choice(CASE_CODE_ALPHABET) for _position in range(12))
    code = "-".join(raw[i : i + 4] for i in range(0, 12, 4))
    days = current_app.config["SETUP_CODE_DAYS"]
    with db.write_tx():
        CaseCode.create(
            code_hash=_code_digest(code),
            party=party,
            kind=kind,
            created_by=by,
            expires_at=utcnow() + timedelta(days=days),
        )
        audit.record("case_code.issued", actor=by, case=party.case_id, party=party.id, kind=kind)
    return code


def redeem_case_code(user, code):
    """Link ``user`` to the case the code was given for; each code works once. Returns
    the party. A wrong, used or expired code says only that it does not work."""
    nothing = Refused(
        _("That code does not work: check it, or ask the facilitator for a new one."), "code"
    )
    with db.write_tx():
        row = db.locked(
            CaseCode.select().where(
                (CaseCode.code_hash == _code_digest(code))
                & CaseCode.used_at.is_null()
                & (CaseCode.expires_at > utcnow())
            )
        ).first()
        if row is None:
            raise nothing
        party = Party.get_by_id(row.party_id)
        case = Case.get_by_id(party.case_id)
        if user.id in _people_of(case) or user.id == case.lead_id:
            raise Refused(
                _("Your account takes part in %(reference)s already.", reference=case.reference),
                "code",
            )
        if row.kind == "party":
            if Person.get_by_id(party.person_id).user_id is not None:
                raise nothing
            _link_person(party, user, user)
        else:
            if user.role != "representative":
                raise Refused(
                    _("This code is for a representative's account: ask the facilitator."),
                    "code",
                )
            add_representative(party, user, user)
        CaseCode.update(used_at=utcnow(), used_by=user.id).where(CaseCode.id == row.id).execute()
        case.touch(user)
    return party


def _people_of(case):
    """Accounts already taking part in ``case``: its parties' and their representatives'."""
    as_party = Person.select(Person.user).join(Party).where(Party.case == case)
    reps = (
        Representative.select(Representative.user)
        .join(Party, on=(Representative.party == Party.id))
        .where(Party.case == case)
    )
    return {row[0] for row in (as_party | reps).tuples() if row[0] is not None}


def set_action_owner(action, owner, by):
    """A new owner for an action (a handover)."""
    if owner.role not in ("facilitator", "admin") or not owner.is_active:
        raise Refused(_("%(name)s is not an active facilitator.", name=owner.display_name), "owner")
    with db.write_tx():
        Action.update(owner=owner.id).where(Action.id == action.id).execute()
        Case.get_by_id(action.case_id).touch(by)
        audit.record(
            "action.owner_set", actor=by, case=action.case_id, action_id=action.id, owner=owner.id
        )


def set_appeal_reviewer(appeal, reviewer, by):
    """A new reviewer for an open appeal (a handover): never the lead, a party or recused."""
    case = Case.get_by_id(appeal.case_id)
    check_reviewer(case, reviewer)
    with db.write_tx():
        Appeal.update(reviewer=reviewer.id).where(Appeal.id == appeal.id).execute()
        case.touch(by)
        audit.record(
            "appeal.reviewer_set", actor=by, case=case, appeal=appeal.id, reviewer=reviewer.id
        )
