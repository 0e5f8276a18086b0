"""Coordinators' pages: the organisation's settings."""

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_login import current_user

from rj import audit, db, policy, settings, workflow
from rj.forms.admin import settings_form_class
from rj.models import StageSetting

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/settings", methods=["GET", "POST"])
@policy.requires("settings.manage")
def settings_page():
    form = settings_form_class()()
    stages = workflow.board_stages()
    if not form.is_submitted():
        form.appeal_window_days.data = workflow.appeal_window_days()
        form.community_enabled.data = workflow.stage("community").enabled
        for stage in stages:
            getattr(form, f"label_{stage.key}").data = stage.label
            getattr(form, f"help_{stage.key}").data = stage.help
            if hasattr(form, f"target_{stage.key}"):
                getattr(form, f"target_{stage.key}").data = stage.target_days
    elif form.validate():
        with db.write_tx():
            for stage in stages:
                target = getattr(form, f"target_{stage.key}", None)
                values = {
                    "label": getattr(form, f"label_{stage.key}").data.strip(),
                    "help": (getattr(form, f"help_{stage.key}").data or "").strip(),
                    "target_days": target.data if target is not None else None,
                    "enabled": form.community_enabled.data if stage.key == "community" else True,
                }
                (
                    StageSetting.insert(stage=stage.key, **values)
                    .on_conflict(conflict_target=[StageSetting.stage], update=values)
                    .execute()
                )
            settings.put("appeal_window_days", form.appeal_window_days.data)
            audit.record("settings.changed", actor=current_user, fields=sorted(form.data))
        g.pop("mend_stages", None)
        flash("Settings saved.", "ok")
        return redirect(url_for("admin.settings_page"))
    status = 422 if form.errors else 200
    return render_template("admin/settings.html", form=form, stages=stages), status
