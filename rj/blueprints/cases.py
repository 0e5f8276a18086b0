"""The case record: filing a case, the case page with its whole timeline, the case file,
and the facts of a case with their corrections and redactions."""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from rj import casepage, cases, export, policy, tablet, timeline, workflow
from rj.clock import local, to_utc
from rj.forms.cases import FactsForm, FactsRedactForm, IntakeForm, SeverityForm
from rj.models import TEXT_FACT_FIELDS
from rj.refusals import Refused

bp = Blueprint("cases", __name__, url_prefix="/cases")

KINDS = {
    "complaint": ("complaint", _l("File a complaint")),
    "incident": ("incident", _l("Report an incident")),
}


@bp.route("/new")
@policy.requires("case.file")
def new():
    return render_template("cases/new.html", kinds=KINDS)


@bp.route("/new/<kind>", methods=["GET", "POST"])
@policy.requires("case.file")
def file(kind):
    if kind not in KINDS:
        abort(404)
    form = IntakeForm(kind=kind)
    if form.validate_on_submit():
        facts = form.facts()
        facts["occurred_at"] = to_utc(facts["occurred_at"])
        case = cases.file_case(current_user, kind=kind, severity=form.severity.data, **facts)
        flash(_("%(reference)s is filed.", reference=case.reference), "ok")
        return redirect(url_for("cases.show", reference=case.reference))
    status = 422 if form.errors else 200
    return render_template("cases/file.html", form=form, kind=kind, heading=KINDS[kind][1]), status


@bp.route("/<reference>")
@policy.case_route("case.view")
def show(case):
    cases.mark_opened(case)  # it leaves the board's notice of new concerns
    order = request.args.get("order") or request.cookies.get(casepage.ORDER_COOKIE)
    panel = casepage.panel(case)
    view = casepage.timeline_view(
        timeline.build(case),
        order,
        request.args.get("show"),
        request.args.get("saved"),
        elsewhere=[f"party-{party.id}" for party, _, _ in panel["parties"]],
    )
    response = make_response(
        render_template(
            "cases/show.html",
            case=case,
            stage=workflow.stage(case.stage),
            view=view,
            groups=timeline.TIMELINE_GROUPS,
            orders=casepage.ORDERS,
            panel=panel,
            progress=casepage.progress(case, panel["can_appeal"]),
            next_step=casepage.next_step(case, current_user),
            record_actions=casepage.record_actions(case, panel, current_user),
            severity_form=SeverityForm(formdata=None, data={"severity": case.severity}),
            flash_in_page=bool(view.saved),
            # A quick report from the tablet has no facts: the page says why.
            quick_report=case.title == tablet.QUICK_REPORT_TITLE,
        )
    )
    if request.args.get("order") == view.order:  # the reader chose it: remember it
        response.set_cookie(
            casepage.ORDER_COOKIE,
            view.order,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        )
    return response


@bp.route("/<reference>/severity", methods=["GET", "POST"])
@policy.case_route("case.edit", open_only=True)
def set_severity(case):
    """A facilitator's assessment of the severity; "not yet assessed" until then."""
    form = SeverityForm()
    error, status = None, 200
    if form.validate_on_submit():
        try:
            cases.set_severity(case, current_user, form.severity.data)
        except Refused as refused:
            error, status = _refuse(form, refused), refused.status
        else:
            flash(_("The severity of %(reference)s is set.", reference=case.reference), "ok")
            return redirect(url_for("cases.show", reference=case.reference))
    if form.errors and status == 200:
        status = 422
    return render_template("cases/severity.html", case=case, form=form, error=error), status


def _printable(case):
    return render_template(
        "cases/record.html",
        case=case,
        stage=workflow.stage(case.stage),
        items=timeline.build(case),
        panel=casepage.panel(case),
        trail=timeline.trail(case),
    )


@bp.route("/<reference>/record")
@policy.case_route("case.export", records="case.printed")
def record(case):
    """The case file as a clean page for paper."""
    return _printable(case)


@bp.route("/<reference>/export.zip")
@policy.case_route("case.export", records="case.exported")
def export_zip(case):
    """The whole case with its audit trail as one file."""
    items = timeline.build(case)
    body = export.zip_bytes(case, items, _printable(case))
    return Response(
        body,
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{case.reference}.zip"'},
    )


@bp.route("/<reference>/audit")
@policy.case_route("case.view", records="audit.viewed")
def audit_trail(case):
    """Who viewed and changed this case, and when."""
    return render_template("cases/audit.html", case=case, trail=timeline.trail(case))


# --- The facts of the case ----------------------------------------------------------


def _refuse(form, refused):
    field = getattr(form, refused.field or "", None)
    if field is None:
        return refused.message
    field.errors = [*field.errors, refused.message]
    return None


@bp.route("/<reference>/facts", methods=["GET", "POST"])
@policy.case_route("case.edit")
def correct_facts(case):
    """Correct the case's facts: a new revision; the earlier ones stay in its history."""
    shown = {**cases.facts_of(case), "revision": case.facts_revision}
    shown["occurred_at"] = local(case.occurred_at).replace(tzinfo=None)
    form = FactsForm(data=shown)
    error, status = None, 200
    if form.validate_on_submit():
        facts = form.facts()
        facts["occurred_at"] = to_utc(facts["occurred_at"])
        try:
            cases.correct_facts(case, current_user, facts, form.reason.data, form.revision.data)
        except Refused as refused:
            error, status = _refuse(form, refused), refused.status
            if refused.status == 409:
                case = cases.reload(case)
                form.revision.data = case.facts_revision
        else:
            flash(_("The facts of %(reference)s are corrected.", reference=case.reference), "ok")
            return redirect(casepage.saved_url(case, "filed"))
    if form.errors and status == 200:
        status = 422
    return render_template("cases/facts.html", case=case, form=form, error=error), status


@bp.route("/<reference>/facts/history")
@policy.case_route("case.view")
def facts_history(case):
    return render_template(
        "cases/facts_history.html",
        case=case,
        revisions=list(cases.fact_revisions(case)),
        redactions=list(cases.redactions(case)),
        labels=cases.FACT_LABELS,
    )


@bp.route("/<reference>/facts/redact", methods=["GET", "POST"])
@policy.case_route("case.edit")
def redact_facts(case):
    form = FactsRedactForm()
    error, status = None, 200
    if form.validate_on_submit():
        try:
            cases.redact_facts(case, current_user, form.fields.data, form.reason.data)
        except Refused as refused:
            error, status = _refuse(form, refused), refused.status
        else:
            flash(
                _("The chosen facts of %(reference)s are redacted.", reference=case.reference),
                "ok",
            )
            return redirect(casepage.saved_url(case, "filed"))
    if form.errors and status == 200:
        status = 422
    return render_template(
        "cases/facts_redact.html", case=case, form=form, error=error, now=_now_shown(case)
    ), status


def _now_shown(case):
    """What each fact holds now, shortened, beside its checkbox."""
    facts = cases.facts_of(case)
    return {
        name: _(
            "now: %(text)s", text=facts[name][:80] + "…" if len(facts[name]) > 80 else facts[name]
        )
        for name in TEXT_FACT_FIELDS
        if facts[name]
    }
