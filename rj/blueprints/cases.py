"""The case record: filing a case and the case page with its whole timeline."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from rj import audit, cases, db, export, policy, timeline, workflow
from rj.clock import to_utc
from rj.forms_cases import IntakeForm

bp = Blueprint("cases", __name__, url_prefix="/cases")

KINDS = {
    "complaint": ("complaint", "File a complaint"),
    "incident": ("incident", "Report an incident"),
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
        case = cases.file_case(
            current_user,
            kind=kind,
            title=form.title.data,
            what_happened=form.what_happened.data,
            occurred_at=to_utc(form.occurred_at.data),
            location=form.location.data,
            severity=form.severity.data,
            safety_steps=form.safety_steps.data or "",
            raised_by=form.raised_by.data,
            people_involved=form.people_involved.data or "",
        )
        flash(f"{case.reference} is filed.", "ok")
        return redirect(url_for("cases.show", reference=case.reference))
    status = 422 if form.errors else 200
    return render_template("cases/file.html", form=form, kind=kind, heading=KINDS[kind][1]), status


@bp.route("/<reference>")
@policy.requires("board.view")
def show(reference):
    case = policy.load_case_or_404(current_user, reference, "case.view")
    with db.write_tx():
        audit.record("case.viewed", actor=current_user, case=case)
    return render_template(
        "cases/show.html",
        case=case,
        stage=workflow.stage(case.stage),
        items=timeline.build(case),
    )


def _printable(case):
    return render_template(
        "cases/record.html",
        case=case,
        stage=workflow.stage(case.stage),
        items=timeline.build(case),
        trail=list(audit.for_case(case)),
    )


@bp.route("/<reference>/record")
@policy.requires("board.view")
def record(reference):
    """The case file as a clean page for paper."""
    case = policy.load_case_or_404(current_user, reference, "case.export")
    with db.write_tx():
        audit.record("case.printed", actor=current_user, case=case)
    return _printable(case)


@bp.route("/<reference>/export.zip")
@policy.requires("board.view")
def export_zip(reference):
    """The whole case with its audit trail as one file."""
    case = policy.load_case_or_404(current_user, reference, "case.export")
    with db.write_tx():
        audit.record("case.exported", actor=current_user, case=case)
    items = timeline.build(case)
    body = export.zip_bytes(case, items, _printable(case))
    return Response(
        body,
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{case.reference}.zip"'},
    )


@bp.route("/<reference>/audit")
@policy.requires("board.view")
def audit_trail(reference):
    """Who viewed and changed this case, and when."""
    case = policy.load_case_or_404(current_user, reference, "case.view")
    with db.write_tx():
        audit.record("audit.viewed", actor=current_user, case=case)
    return render_template("cases/audit.html", case=case, trail=list(audit.for_case(case)))
