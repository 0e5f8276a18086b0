"""Reports (coordinators): how the process is doing over a period, on a page with its
charts, as a CSV and as a printable page. Opening or downloading one is recorded."""

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from rj import policy, reports
from rj.forms import refuse
from rj.forms.reports import DatesForm
from rj.refusals import Refused
from rj.vocabulary import REPORT_PERIOD_LABELS

bp = Blueprint("reports", __name__, url_prefix="/reports")

NAMED_PERIODS = [key for key in REPORT_PERIOD_LABELS if key != "custom"]


def _asked():
    """The period in the query string: two dates, else a named period (this month when
    none is named). Returns (period or None, the dates form, a problem not beside a date)."""
    form = DatesForm(request.args)
    if "start" not in request.args and "end" not in request.args:
        try:
            return reports.named_period(request.args.get("period", "this-month")), form, None
        except Refused as refused:
            return None, form, refused.message
    if not form.validate():
        return None, form, None
    try:
        return reports.between(form.start.data, form.end.data), form, None
    except Refused as refused:
        return None, form, refuse(form, refused)


@bp.route("/")
@policy.requires("reports.view")
def index():
    period, form, problem = _asked()
    report = None
    if period is not None:
        report = reports.build(period)
        reports.record_opened(current_user, period)
        # The dates of the period shown, to change from there.
        form.start.data, form.end.data = period.first, period.last
    page = render_template(
        "reports/index.html",
        report=report,
        period=period,
        form=form,
        problem=problem,
        named_periods=NAMED_PERIODS,
        charts=reports.charts(report) if report else {},
    )
    return page, 200 if report else 422


@bp.route("/print")
@policy.requires("reports.view")
def printable():
    """The report as a clean page for paper, with its own print stylesheet."""
    period, form, problem = _asked()
    if period is None:
        return _refused(form, problem)
    report = reports.build(period)
    reports.record_opened(current_user, period, "report.printed")
    return render_template("reports/print.html", report=report, charts=reports.charts(report))


@bp.route("/report.csv")
@policy.requires("reports.view")
def download():
    """The report's tables as CSV, hidden figures as the page says them."""
    period, form, problem = _asked()
    if period is None:
        return _refused(form, problem)
    report = reports.build(period)
    reports.record_opened(current_user, period, "report.exported", format="csv")
    name = f"mend-report-{period.first.isoformat()}-to-{period.last.isoformat()}.csv"
    return Response(
        reports.csv_text(report),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/charts/<chart>.svg")
@policy.requires("reports.view")
def chart(chart):
    """One chart of the page, drawn on the server: an image, no script."""
    if chart not in reports.CHARTS:
        abort(404)
    period, form, problem = _asked()
    if period is None:
        return _refused(form, problem)
    section = reports.CHARTS[chart][0]
    drawn = reports.chart(reports.build(period, sections=(section,)), chart)
    svg = render_template("reports/chart.svg", chart=drawn)
    return Response(svg, mimetype="image/svg+xml")


def _refused(form, problem):
    """A download or chart for a period that cannot be: what is wrong, in words."""
    messages = [problem] if problem else []
    messages += [
        _(
            "%(field)s: %(errors)s",
            field=form[name].label.text,
            errors=" ".join(str(error) for error in form[name].errors),
        )
        for name in form.errors
    ]
    return Response(" ".join(messages) + "\n", status=422, mimetype="text/plain")
