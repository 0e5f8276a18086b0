"""Coordinators' pages: the organisation's settings."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from rj import concerns, policy, procedures, workflow
from rj.forms import refuse
from rj.forms.admin import settings_form_class
from rj.refusals import Refused

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/settings", methods=["GET", "POST"])
@policy.requires("settings.manage")
def settings_page():
    form = settings_form_class()()
    stages = workflow.board_stages()
    if not form.is_submitted():
        form.appeal_window_days.data = workflow.appeal_window_days()
        form.community_enabled.data = workflow.stage("community").enabled
        form.procedures.data = procedures.text()
        form.public_filing.data = concerns.public_filing_open()
        for stage in stages:
            getattr(form, f"label_{stage.key}").data = stage.label
            getattr(form, f"help_{stage.key}").data = stage.help
            if hasattr(form, f"target_{stage.key}"):
                getattr(form, f"target_{stage.key}").data = stage.target_days
    elif form.validate():
        values = {
            stage.key: (
                getattr(form, f"label_{stage.key}").data,
                getattr(form, f"help_{stage.key}").data,
                getattr(form, f"target_{stage.key}").data
                if hasattr(form, f"target_{stage.key}")
                else None,
            )
            for stage in stages
        }
        try:
            procedures.save(
                current_user,
                values,
                form.community_enabled.data,
                form.appeal_window_days.data,
                form.procedures.data,
                form.public_filing.data,
            )
        except Refused as refused:
            refuse(form, refused)
        else:
            flash(_("Settings saved."), "ok")
            return redirect(url_for("admin.settings_page"))
    status = 422 if form.errors else 200
    return render_template("admin/settings.html", form=form, stages=stages), status
