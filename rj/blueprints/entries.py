"""Routes of the case record: timeline entries, their corrections, redactions and files."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from rj import casepage, entries, files, policy
from rj.errors import render_error
from rj.forms import refuse
from rj.forms.entries import CorrectForm, EntryForm, RedactForm
from rj.refusals import Refused, Stale
from rj.vocabulary import AUDIENCE_LABELS, ENTRY_HEADINGS, ENTRY_KIND_LABELS, ENTRY_KINDS

bp = Blueprint("entries", __name__, url_prefix="/cases/<reference>")

INLINE_TYPES = {"image/jpeg", "image/png"}


@bp.app_template_filter("filesize")
def filesize(size):
    return files.human_size(size)


@bp.app_template_filter("filetype")
def filetype(content_type):
    return files.TYPE_LABELS.get(content_type, content_type)


def _case_url(case, entry=None):
    if entry is None:
        return url_for("cases.show", reference=case.reference)
    return casepage.saved_url(case, f"entry-{entry.id}")


@bp.route("/entries/new", methods=["GET", "POST"])
@policy.case_route("case.edit")
def new(case):
    max_bytes = current_app.config["UPLOAD_MAX_BYTES"]
    form_error = None
    form = EntryForm(case=case, max_bytes=max_bytes)
    if request.method == "GET":
        kind = request.args.get("kind", "")
        form.kind.data = kind if kind in ENTRY_KINDS else "note"
    if form.validate_on_submit():
        # One file at a time: each is checked, cleaned and written to its staged file
        # before the next is read; whatever is not published with the entry is removed.
        with files.staging() as uploads:
            try:
                chosen = form.chosen_files()
                entries.check_files(form.kind.data, len(chosen))
                for storage in chosen:
                    uploads.append(files.check(storage, max_bytes))
                entry = entries.add_entry(
                    case,
                    current_user,
                    kind=form.kind.data,
                    body=form.body.data,
                    audience=form.audience.data or None,
                    party=entries.party_of_case(case, form.party.data),
                    witness=_witness_from(form) if form.kind.data == "witness" else None,
                    uploads=uploads,
                )
            except Refused as refused:
                form_error = refuse(form, refused)
            else:
                flash(
                    _(
                        "%(kind)s added to %(reference)s.",
                        kind=ENTRY_KIND_LABELS[entry.kind],
                        reference=case.reference,
                    ),
                    "ok",
                )
                return redirect(_case_url(case, entry))
    kind = form.kind.data if form.kind.data in ENTRY_KINDS else "note"
    status = 422 if form.errors or form_error else 200
    html = render_template(
        "entries/new.html", case=case, form=form, heading=ENTRY_HEADINGS[kind], error=form_error
    )
    return html, status


def _witness_from(form):
    return entries.Witness.given(
        form.witness_name.data, form.witness_relation.data, form.witness_anonymous.data
    )


@bp.route("/entries/<int:entry_id>/correct", methods=["GET", "POST"])
@policy.case_route("case.edit", records="entry.viewed")
def correct(case, entry_id):
    entry = policy.child_or_404(case.entries, entry_id)
    if entry.redacted_at:
        return render_error(409, _("This entry was redacted; it can no longer be corrected."))
    form = CorrectForm(kind=entry.kind)
    error = None
    status = 200
    if request.method == "GET":
        latest = entries.latest_revision(entry)
        form.body.data = entry.body
        form.revision.data = entry.revision
        witness = entries.witness_of(latest.body) if latest else None
        if witness:
            form.witness_anonymous.data = witness.anonymous
            form.witness_name.data = "" if witness.anonymous else witness.name
            form.witness_relation.data = witness.relation
    elif form.validate_on_submit():
        try:
            entries.correct_entry(
                entry,
                current_user,
                body=form.body.data,
                reason=form.reason.data,
                based_on=form.revision.data,
                witness=_witness_from(form) if entry.kind == "witness" else None,
            )
        except Refused as refused:
            error, status = refuse(form, refused), refused.status
            if refused.status == 409:
                entry = policy.child_or_404(case.entries, entry_id)
                form.revision.data = entry.revision
        else:
            flash(_("%(kind)s corrected.", kind=ENTRY_KIND_LABELS[entry.kind]), "ok")
            return redirect(_case_url(case, entry))
    if form.errors and status == 200:
        status = 422
    return render_template(
        "entries/correct.html",
        case=case,
        entry=entry,
        form=form,
        error=error,
        kind_label=ENTRY_KIND_LABELS.get(entry.kind, entry.kind),
    ), status


@bp.route("/entries/<int:entry_id>/redact", methods=["GET", "POST"])
@policy.case_route("case.edit", records="entry.viewed")
def redact(case, entry_id):
    entry = policy.child_or_404(case.entries, entry_id)
    if entry.redacted_at:
        return render_error(409, _("This entry is already redacted."))
    form = RedactForm()
    if form.validate_on_submit():
        try:
            entries.redact_entry(entry, current_user, form.reason.data)
        except Stale as stale:
            return render_error(409, stale.message)
        except Refused as refused:
            refuse(form, refused)
        else:
            flash(_("%(kind)s redacted.", kind=ENTRY_KIND_LABELS[entry.kind]), "ok")
            return redirect(_case_url(case, entry))
    status = 422 if form.errors else 200
    return render_template(
        "entries/redact.html",
        case=case,
        entry=entry,
        form=form,
        kind_label=ENTRY_KIND_LABELS.get(entry.kind, entry.kind),
        file_count=entry.files.count(),
        redacted=entries.REDACTED,
    ), status


@bp.route("/entries/<int:entry_id>/history")
@policy.case_route("case.view", records="entry.viewed")
def history(case, entry_id):
    entry = policy.child_or_404(case.entries, entry_id)
    shown = [
        (revision, entries.witness_of(revision.body), entries.account_of(revision.body))
        for revision in entries.revisions(entry)
    ]
    return render_template(
        "entries/history.html",
        case=case,
        entry=entry,
        revisions=shown,
        kind_label=ENTRY_KIND_LABELS.get(entry.kind, entry.kind),
        audience_label=AUDIENCE_LABELS.get(entry.audience, entry.audience),
    )


@bp.route("/files/<int:file_id>")
@policy.case_route("case.view", records="file.viewed")
def file(case, file_id):
    stored = entries.file_of_case_or_none(case, file_id)
    # A redacted entry's files are gone from disk; its rows are kept but never served.
    if stored is None or stored.entry.redacted_at:
        abort(404)
    policy.viewing(entry_id=stored.entry_id)
    path = files.path_of(stored.stored_name)
    if not path.is_file():
        current_app.logger.error(
            "Stored file %s of entry %s is missing", stored.id, stored.entry_id
        )
        abort(404)
    response = send_file(
        path,
        mimetype=stored.content_type,  # Werkzeug adds "; charset=utf-8" to text/plain
        as_attachment=stored.content_type not in INLINE_TYPES,
        download_name=stored.original_name,
        conditional=False,
        etag=False,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
