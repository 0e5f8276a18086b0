"""Routes of the case record: recording each step of the restorative process.

Every form is a full page (GET shows it, POST saves it and redirects back to
the case page). Writes go through rj.cases and rj.workflow; a refusal from
them is shown beside the field it is about, with status 422.
"""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import SelectChoice

from rj import cases, policy, workflow
from rj.clock import local, to_utc, today
from rj.forms_process import (
    SIDE_LABELS,
    AcknowledgementForm,
    ActionForm,
    ActionStatusForm,
    AppealForm,
    AppealOutcomeForm,
    CheckInForm,
    CloseEarlyForm,
    CommunicatedForm,
    CommunityForm,
    ConflictForm,
    HoldCheckInForm,
    LeadForm,
    MeetingForm,
    MeetingOutcomeForm,
    PartyForm,
    ReflectionForm,
    ReopenForm,
    RepresentativesForm,
)
from rj.models import (
    ACTION_KINDS,
    Acknowledgement,
    Action,
    CheckIn,
    CommunityAssessment,
    Meeting,
    Party,
    Person,
    Reflection,
    Representative,
    User,
)
from rj.models import Case as CaseModel
from rj.refusals import Stale

bp = Blueprint("process", __name__, url_prefix="/cases/<reference>")

STAFF_ROLES = ("facilitator", "admin")


# --- Helpers -----------------------------------------------------------------


def _page(template, case, form, heading, form_error=None, status=None, **context):
    if status is None:
        status = 422 if (form.errors or form_error) else 200
    return (
        render_template(
            f"process/{template}.html",
            case=case,
            form=form,
            heading=heading,
            form_error=form_error,
            **context,
        ),
        status,
    )


def _saved(case, message, anchor="process"):
    flash(message, "ok")
    return redirect(url_for("cases.show", reference=case.reference, _anchor=anchor))


def _staff():
    """Active facilitator and coordinator accounts, by name."""
    return list(
        User.select()
        .where(User.role.in_(STAFF_ROLES) & (User.is_active_account == True))  # noqa: E712
        .order_by(User.display_name, User.id)
    )


def _user_choices(users, placeholder):
    return [SelectChoice("", placeholder)] + [
        SelectChoice(str(u.id), f"{u.display_name} ({u.username})") for u in users
    ]


def _parties(case):
    return list(
        Party.select(Party, Person).join(Person).where(Party.case == case).order_by(Party.id)
    )


def _party_choices(parties, placeholder):
    return [SelectChoice("", placeholder)] + [
        SelectChoice(str(p.id), f"{p.person.name} ({SIDE_LABELS.get(p.side, p.side)})")
        for p in parties
    ]


def _pick(rows, value):
    """The row among ``rows`` whose id the (already validated) choice names."""
    wanted = int(value)
    return next(row for row in rows if row.id == wanted)


def _refuse(form_field, message):
    form_field.errors = [*form_field.errors, message]


# --- The panel on the case page ----------------------------------------------


def case_panel(case):
    """What the process panel on the case page shows, in a fixed number of queries."""
    now = today()
    parties = _parties(case)
    reps = {}
    for rep in (
        Representative.select(Representative, User)
        .join(User)
        .where(Representative.party.in_([p.id for p in parties] or [0]))
        .order_by(User.display_name)
    ):
        reps.setdefault(rep.party_id, []).append(rep.user)
    acknowledged = Acknowledgement.select().where(Acknowledgement.case == case).exists()
    meetings = list(
        Meeting.select()
        .where((Meeting.case == case) & Meeting.outcome_recorded_at.is_null())
        .order_by(Meeting.scheduled_at)
    )
    actions = list(Action.select().where(Action.case == case).order_by(Action.due_on, Action.id))
    by_party = {p.id: p for p in parties}
    checkins = list(
        CheckIn.select()
        .where(CheckIn.case == case)
        .order_by(CheckIn.held_at.is_null(False), CheckIn.due_on, CheckIn.id)
    )
    appeal = workflow.open_appeal(case)
    stage = case.stage
    is_open = stage != "closed"
    return {
        "parties": [(p, SIDE_LABELS.get(p.side, p.side), reps.get(p.id, [])) for p in parties],
        "lead": case.lead if case.lead_id else None,
        "is_open": is_open,
        "acknowledged": acknowledged,
        "ack_target_days": workflow.stage("acknowledged").target_days,
        "ack_overdue": (
            not acknowledged and case.stage_due_on is not None and case.stage_due_on < now
        ),
        "pending_meetings": meetings,
        "has_actions": bool(actions),
        "open_actions": [
            {
                "action": a,
                "kind": ACTION_KINDS.get(a.kind, (a.kind,))[0],
                "for": by_party[a.party_id].person.name if a.party_id in by_party else "",
                "overdue": a.due_on < now,
            }
            for a in actions
            if a.status == "open"
        ],
        "checkins": [
            {"checkin": c, "overdue": c.held_at is None and c.due_on < now} for c in checkins
        ],
        "assessed": CommunityAssessment.select().where(CommunityAssessment.case == case).exists(),
        "community_enabled": workflow.stage("community").enabled,
        "reflected": Reflection.select().where(Reflection.case == case).exists(),
        "can_appeal": (
            stage in workflow.APPEAL_FROM and appeal is None and workflow.appeal_window_open(case)
        ),
        "appeal_under_review": appeal if stage == "appeal" else None,
    }


@bp.app_context_processor
def _panel_helper():
    return {"process_panel": case_panel}


# --- 1. Acknowledgement ------------------------------------------------------


@bp.route("/acknowledgement", methods=["GET", "POST"])
@policy.case_route("case.edit", open_only=True)
def acknowledge(case):
    staff = _staff()
    form = AcknowledgementForm(case=case)
    form.by.choices = _user_choices(staff, "Choose…")
    if not form.is_submitted():
        form.by.data = str(current_user.id)
    if form.validate_on_submit():
        ack = cases.acknowledge(
            case,
            _pick(staff, form.by.data),
            to_utc(form.at.data),
            form.method.data,
            (form.note.data or "").strip(),
            recorded_by=current_user,
        )
        return _saved(case, "The acknowledgement is recorded.", f"ack-{ack.id}")
    return _page(
        "acknowledgement",
        case,
        form,
        "Record the acknowledgement",
        target_days=workflow.stage("acknowledged").target_days,
    )


# --- 2. People in the case ---------------------------------------------------


@bp.route("/parties/new", methods=["GET", "POST"])
@policy.case_route("case.edit", open_only=True)
def add_party(case):
    accounts = list(
        User.select()
        .where(User.is_active_account == True)  # noqa: E712
        .order_by(User.display_name, User.id)
    )
    form = PartyForm(case=case)
    form.account.choices = [SelectChoice("", "No account")] + [
        SelectChoice(str(u.id), f"{u.display_name} ({u.username}, {u.role_label})")
        for u in accounts
    ]
    if form.validate_on_submit():
        user = _pick(accounts, form.account.data) if form.account.data else None
        if user is not None:
            already = (
                Party.select()
                .join(Person)
                .where((Party.case == case) & (Person.user == user.id))
                .exists()
            )
            if already:
                _refuse(form.account, f"{user.display_name} is already a party to this case.")
            elif user.id == case.lead_id:
                _refuse(
                    form.account,
                    f"{user.display_name} leads this case: set another lead facilitator first.",
                )
        if not form.account.errors:
            party = cases.add_party_person(
                case,
                current_user,
                form.name.data,
                form.side.data,
                pronouns=form.pronouns.data or "",
                contact=form.contact.data or "",
                user=user,
            )
            message = f"{party.person.name} is added as {SIDE_LABELS[party.side].lower()}."
            if user is not None and user.id == current_user.id:
                # A party sees the case only through "My cases", never on their board.
                flash(f"{message} You are a party to {case.reference} now.", "ok")
                return redirect(url_for("board.index"))
            return _saved(case, message)
    return _page("party", case, form, "Add a person to the case")


@bp.route("/parties/<int:party_id>/representatives", methods=["GET", "POST"])
@policy.case_route("case.edit", open_only=True)
def add_representatives(case, party_id):
    party = policy.child_or_404(case.parties, party_id)
    taken = Representative.select(Representative.user).where(Representative.party == party)
    available = list(
        User.select()
        .where(
            (User.role == "representative")
            & (User.is_active_account == True)  # noqa: E712
            & User.id.not_in(taken)
        )
        .order_by(User.display_name, User.id)
    )
    form = RepresentativesForm(case=case)
    form.users.choices = [
        SelectChoice(str(u.id), f"{u.display_name} ({u.username})") for u in available
    ]
    if form.validate_on_submit():
        chosen = [_pick(available, value) for value in form.users.data]
        cases.add_representatives(party, chosen, current_user)
        names = ", ".join(u.display_name for u in chosen)
        return _saved(case, f"{names} now represent {party.person.name}.")
    return _page(
        "representatives",
        case,
        form,
        f"Representatives for {party.person.name}",
        party=party,
        side=SIDE_LABELS.get(party.side, party.side),
        available=available,
    )


@bp.route("/lead", methods=["GET", "POST"])
@policy.case_route("case.edit", open_only=True)
def set_lead(case):
    staff = _staff()
    form = LeadForm(case=case)
    form.lead.choices = _user_choices(staff, "Choose…")
    if not form.is_submitted() and case.lead_id:
        form.lead.data = str(case.lead_id)
    if form.validate_on_submit():
        lead = _pick(staff, form.lead.data)
        try:
            cases.set_lead(case, lead, current_user)
        except workflow.TransitionDenied as denied:
            _refuse(form.lead, str(denied))
        else:
            return _saved(case, f"{lead.display_name} leads {case.reference}.")
    return _page("lead", case, form, "Set the lead facilitator")


@bp.route("/conflict", methods=["GET", "POST"])
@policy.case_route("case.edit")
def declare_conflict(case):
    form = ConflictForm(case=case)
    if form.validate_on_submit():
        cases.declare_conflict(case, current_user, (form.note.data or "").strip())
        flash(
            f"Your conflict in {case.reference} is recorded. The case has left your board "
            "and another facilitator takes it on.",
            "ok",
        )
        return redirect(url_for("board.index"))
    return _page("conflict", case, form, "Declare a conflict of interest")


# --- 3. Meetings -------------------------------------------------------------


@bp.route("/meetings/new", methods=["GET", "POST"])
@policy.case_route("case.edit", open_only=True)
def schedule_meeting(case):
    form = MeetingForm(case=case)
    if form.validate_on_submit():
        meeting = cases.schedule_meeting(
            case,
            current_user,
            to_utc(form.scheduled_at.data),
            form.place.data.strip(),
            form.attendees.data.strip(),
        )
        return _saved(case, "The meeting is scheduled.", f"meeting-{meeting.id}")
    return _page("meeting", case, form, "Schedule a meeting")


@bp.route("/meetings/<int:meeting_id>/outcome", methods=["GET", "POST"])
@policy.case_route("case.edit", open_only=True)
def meeting_outcome(case, meeting_id):
    meeting = policy.child_or_404(case.meetings, meeting_id)
    if meeting.outcome_recorded_at is not None:
        flash("That meeting's outcome is already recorded.", "error")
        return redirect(url_for("cases.show", reference=case.reference, _anchor="process"))
    form = MeetingOutcomeForm(case=case)
    not_yet = local(meeting.scheduled_at).date() > today()
    form_error = None
    status = None
    if form.is_submitted() and not_yet:
        form.validate()
        form_error = "This meeting has not happened yet: record its outcome once it has been held."
    elif form.validate_on_submit():
        try:
            cases.record_meeting_outcome(
                meeting, current_user, form.minutes.data.strip(), form.outcome.data.strip()
            )
        except Stale as stale:
            form_error, status = stale.message, stale.status
        else:
            return _saved(case, "The meeting's outcome is recorded.", f"meeting-{meeting.id}")
    return _page(
        "meeting_outcome",
        case,
        form,
        "Record the meeting's outcome",
        form_error=form_error,
        status=status,
        meeting=meeting,
        not_yet=not_yet,
    )


# --- 4. Decision -------------------------------------------------------------


@bp.route("/actions/new", methods=["GET", "POST"])
@policy.case_route("case.edit", open_only=True)
def add_action(case):
    parties = _parties(case)
    staff = _staff()
    form = ActionForm(case=case, sides={str(p.id): p.side for p in parties})
    form.party.choices = _party_choices(parties, "Choose…")
    form.owner.choices = _user_choices(staff, "Choose…")
    if not form.is_submitted():
        form.owner.data = str(case.lead_id or current_user.id)
    if form.validate_on_submit():
        action = cases.add_action(
            case,
            current_user,
            form.kind.data,
            form.description.data.strip(),
            _pick(staff, form.owner.data),
            form.due_on.data,
            party=_pick(parties, form.party.data),
        )
        return _saved(case, "The action is added to the decision.", f"action-{action.id}")
    return _page("action", case, form, "Add a restorative action", parties=parties)


@bp.route("/actions/<int:action_id>/status", methods=["GET", "POST"])
@policy.case_route("case.edit", open_only=True)
def action_status(case, action_id):
    action = policy.child_or_404(case.actions, action_id)
    form = ActionStatusForm(case=case, status=action.status, waived_reason=action.waived_reason)
    if form.validate_on_submit():
        reason = (form.waived_reason.data or "").strip() if form.status.data == "waived" else ""
        try:
            cases.set_action_status(action, current_user, form.status.data, reason)
        except workflow.TransitionDenied as denied:
            _refuse(form.waived_reason, str(denied))
        else:
            return _saved(case, "The action's status is saved.", f"action-{action.id}")
    return _page(
        "action_status",
        case,
        form,
        "Set the action's status",
        action=action,
        kind=ACTION_KINDS.get(action.kind, (action.kind,))[0],
    )


@bp.route("/decision/communicated", methods=["GET", "POST"])
@policy.case_route("case.edit", open_only=True)
def communicate_decision(case):
    form = CommunicatedForm(case=case)
    if not form.is_submitted():
        form.on.data = case.decision_communicated_on or today()
    if form.validate_on_submit():
        cases.communicate_decision(case, current_user, form.on.data)
        return _saved(case, "The date the decision was communicated is recorded.")
    return _page(
        "communicated",
        case,
        form,
        "Record when the decision was communicated",
        window_days=workflow.appeal_window_days(),
    )


# --- 5. Community ------------------------------------------------------------


@bp.route("/community", methods=["GET", "POST"])
@policy.case_route("case.edit", open_only=True)
def assess_community(case):
    form = CommunityForm(case=case)
    if form.validate_on_submit():
        try:
            cases.assess_community(
                case,
                current_user,
                impacted=(form.impacted.data or "").strip(),
                actions=(form.actions.data or "").strip(),
                none_reason=(form.none_reason.data or "").strip(),
            )
        except workflow.TransitionDenied as denied:
            _refuse(form.impacted, str(denied))
        else:
            return _saved(case, "The community assessment is recorded.")
    return _page("community", case, form, "Assess the impact on the community")


# --- 6. Appeal ---------------------------------------------------------------


def _appeal_closed_reason(case):
    if case.stage == "appeal" or workflow.open_appeal(case) is not None:
        return f"{case.reference} already has an appeal under review."
    if case.stage not in workflow.APPEAL_FROM:
        labels = ", ".join(workflow.stage(k).label for k in workflow.APPEAL_FROM)
        return f"An appeal can only be filed while the case is in {labels}."
    if not workflow.appeal_window_open(case):
        if case.decision_communicated_on is None:
            return "The decision has not been communicated yet, so there is nothing to appeal."
        return (
            f"The appeal window is closed: it was {workflow.appeal_window_days()} days from "
            f"{case.decision_communicated_on:%d %b %Y}, when the decision was communicated."
        )
    return None


@bp.route("/appeal", methods=["GET", "POST"])
@policy.case_route("case.edit")
def file_appeal(case):
    parties = _parties(case)
    staff = _staff()
    form = AppealForm(case=case)
    form.party.choices = _party_choices(parties, "Choose…")
    form.reviewer.choices = _user_choices(staff, "Choose…")
    closed_reason = _appeal_closed_reason(case)
    form_error = None
    status = None
    if form.is_submitted() and closed_reason:
        form.validate()
        form_error = closed_reason
    elif form.validate_on_submit():
        try:
            cases.appeal_case(
                case,
                current_user,
                form.grounds.data,
                _pick(staff, form.reviewer.data),
                party=_pick(parties, form.party.data),
            )
        except cases.ReviewerRefused as refused:
            _refuse(form.reviewer, str(refused))
        except workflow.StaleVersion as stale:
            form_error, status = str(stale), 409
        except workflow.TransitionDenied as denied:
            form_error = str(denied)
        else:
            return _saved(case, f"The appeal is filed; {case.reference} is now under review.")
    return _page(
        "appeal",
        case,
        form,
        "File an appeal",
        form_error=form_error,
        status=status,
        closed_reason=closed_reason,
    )


@bp.route("/appeal/outcome", methods=["GET", "POST"])
@policy.case_route("case.edit")
def appeal_outcome(case):
    appeal = workflow.open_appeal(case)
    if case.stage != "appeal" or appeal is None:
        flash(f"{case.reference} has no appeal under review.", "error")
        return redirect(url_for("cases.show", reference=case.reference, _anchor="process"))
    form = AppealOutcomeForm(case=case)
    is_reviewer = appeal.reviewer_id == current_user.id
    form_error = None
    status = None
    if not is_reviewer:
        reviewer = User.get_or_none(User.id == appeal.reviewer_id)
        name = reviewer.display_name if reviewer else "the reviewer"
        form_error = f"Only the appeal's reviewer, {name}, records its outcome."
        status = 403
    if form.validate_on_submit():
        try:
            workflow.record_appeal_outcome(
                case, form.outcome.data, current_user, (form.note.data or "").strip()
            )
        except workflow.TransitionDenied as denied:
            # For anyone but the reviewer, the message above already names who may.
            if is_reviewer:
                form_error, status = str(denied), 422
        else:
            moved = CaseModel.get_by_id(case.id)
            return _saved(
                case,
                f"The appeal's outcome is recorded; {case.reference} is in "
                f"{workflow.stage(moved.stage).label}.",
            )
    return _page(
        "appeal_outcome",
        case,
        form,
        "Record the appeal's outcome",
        form_error=form_error,
        status=status,
        appeal=appeal,
        is_reviewer=is_reviewer,
    )


# --- 7. Follow-up ------------------------------------------------------------


@bp.route("/checkins/new", methods=["GET", "POST"])
@policy.case_route("case.edit", open_only=True)
def add_checkin(case):
    form = CheckInForm(case=case)
    if form.validate_on_submit():
        checkin = cases.add_checkin(case, current_user, form.due_on.data)
        return _saved(case, "The check-in is added.", f"checkin-{checkin.id}")
    return _page("checkin", case, form, "Add a check-in")


@bp.route("/checkins/<int:checkin_id>/held", methods=["GET", "POST"])
@policy.case_route("case.edit", open_only=True)
def hold_checkin(case, checkin_id):
    checkin = policy.child_or_404(case.checkins, checkin_id)
    if checkin.held_at is not None:
        flash("That check-in is already marked as held.", "error")
        return redirect(url_for("cases.show", reference=case.reference, _anchor="process"))
    form = HoldCheckInForm(case=case)
    if form.validate_on_submit():
        cases.hold_checkin(checkin, current_user, form.notes.data.strip())
        return _saved(case, "The check-in is marked as held.", f"checkin-{checkin.id}")
    return _page("checkin_held", case, form, "Mark the check-in as held", checkin=checkin)


@bp.route("/reflection", methods=["GET", "POST"])
@policy.case_route("case.edit", open_only=True)
def reflection(case):
    form = ReflectionForm(case=case)
    if form.validate_on_submit():
        cases.record_reflection(
            case, current_user, form.repaired.data.strip(), form.learned.data.strip()
        )
        return _saved(case, "The closing reflection is recorded.")
    return _page("reflection", case, form, "Record the closing reflection")


# --- 8. Closing early and reopening ------------------------------------------


@bp.route("/close", methods=["GET", "POST"])
@policy.case_route("case.edit", open_only=True)
def close_early(case):
    form = CloseEarlyForm(case=case)
    form_error = None
    status = None
    if form.validate_on_submit():
        duplicate_of = None
        if form.kind.data == "duplicate":
            wanted = form.duplicate_of.data.strip().upper()
            other = policy.board_cases(current_user).where(CaseModel.reference == wanted).first()
            if other is None or other.id == case.id:
                _refuse(form.duplicate_of, "There is no other case with that reference.")
            else:
                duplicate_of = other.reference
        if not form.duplicate_of.errors:
            try:
                # The version is the one just loaded: the form never supplies it.
                workflow.close_early(
                    case,
                    form.kind.data,
                    form.reason.data,
                    current_user,
                    case.version,
                    duplicate_of=duplicate_of,
                )
            except workflow.StaleVersion as stale:
                form_error, status = str(stale), 409
            except workflow.TransitionDenied as denied:
                form_error = str(denied)
            else:
                return _saved(case, f"{case.reference} is closed.")
    return _page("close", case, form, "Close the case early", form_error=form_error, status=status)


@bp.route("/reopen", methods=["GET", "POST"])
@policy.case_route("case.edit")
def reopen(case):
    if case.stage != "closed":
        flash(f"{case.reference} is open.", "error")
        return redirect(url_for("cases.show", reference=case.reference, _anchor="process"))
    form = ReopenForm(case=case)
    form.to.choices = [SelectChoice("", "Choose…")] + [
        SelectChoice(s.key, s.label)
        for s in workflow.board_stages()
        if s.key in workflow.ORDER[:-1] and s.enabled
    ]
    form_error = None
    status = None
    if form.validate_on_submit():
        try:
            moved = workflow.move(
                case, form.to.data, current_user, case.version, form.reason.data.strip()
            )
        except workflow.StaleVersion as stale:
            form_error, status = str(stale), 409
        except workflow.TransitionDenied as denied:
            _refuse(form.to, str(denied))
        else:
            return _saved(
                case,
                f"{case.reference} is reopened in {workflow.stage(moved.stage).label}.",
            )
    return _page("reopen", case, form, "Reopen the case", form_error=form_error, status=status)
