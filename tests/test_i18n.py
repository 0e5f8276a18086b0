"""Ready for other languages: every word in a template is marked, the messages extract,
a catalogue translates the pages, and dates follow the organisation's locale."""

import json
import re
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from rj import i18n, i18n_check
from tests.helpers import make_app

ROOT = Path(__file__).resolve().parent.parent


def test_no_template_has_a_word_left_unmarked():
    assert i18n_check.report() == {}


def test_the_check_finds_unmarked_words_wherever_people_read_them():
    source = """
      <p>Plain words</p>
      <button aria-label="Close the dialog">{{ icon("x") }}</button>
      <input placeholder="Your name">
      {{ "Set" if x else "Change" }}
      {% trans name=n %}Hello {{ name }}{% endtrans %}
      <p>{{ _("Marked") }} {{ count|number }} · 12</p>
      <a href="{{ url_for('board.index') }}" class="button small">{{ _("Board") }}</a>
      {% macro d(n) %} aria-describedby="{{ n }}-count"{% endmacro %}
      <tr{% if late %} class="is-overdue"{% endif %}><h{{ level }}>{{ _("Heading") }}</h{{ level }}>
    """
    assert i18n_check.unmarked(source) == [
        "Plain words",
        'aria-label="Close the dialog"',
        'placeholder="Your name"',
        '"Set"',
        '"Change"',
    ]


def test_the_messages_extract_from_python_and_templates(tmp_path):
    pot = tmp_path / "messages.pot"
    command = [
        *(sys.executable, "-m", "babel.messages.frontend", "extract"),
        *("-F", "babel.cfg", "-k", "_l", "--ignore-dirs", ".* __pycache__ node_modules"),
        *("-o", str(pot), "--no-location", "."),
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    text = pot.read_text(encoding="utf-8")
    messages = set(re.findall(r'^msgid "(.+)"$', text, re.M))
    assert len(messages) > 1000
    for expected in (
        "Next step",  # a template of the case page
        "There is a problem",  # a partial (folders starting with _ are read too)
        "Discard this account?",  # the tablet
        "Choose a severity.",  # a form's validator, lazy
        "You are offline. Keep writing: nothing is lost.",  # app.js's words
        "Facilitators only",  # the vocabulary
    ):
        assert expected in messages, expected


def _catalogue(folder, locale, translations):
    catalog = Catalog(locale=locale)
    for msgid, msgstr in translations.items():
        catalog.add(msgid, msgstr)
    target = folder / locale / "LC_MESSAGES"
    target.mkdir(parents=True)
    with open(target / "messages.mo", "wb") as out:
        write_mo(out, catalog)


def test_a_catalogue_translates_the_pages_and_the_scripts_words(database_url, tmp_path):
    _catalogue(
        tmp_path / "translations",
        "es",
        {
            "Sign in": "Iniciar sesión",
            "Username": "Nombre de usuario",
            "Sending…": "Enviando…",
        },
    )
    app = make_app(
        database_url,
        tmp_path,
        LOCALE="es",
        BABEL_TRANSLATION_DIRECTORIES=str(tmp_path / "translations"),
    )
    html = app.test_client().get("/signin").get_data(as_text=True)
    assert '<html lang="es">' in html
    assert '<h1 id="signin-heading">Iniciar sesión</h1>' in html
    assert '<label for="username">Nombre de usuario</label>' in html  # a form's lazy label
    words = re.search(r'<script type="application/json" id="mend-words">(.*?)</script>', html)
    assert json.loads(words.group(1))["sending"] == "Enviando…"


@pytest.mark.parametrize(
    ("locale", "day", "moment"),
    [
        ("en_GB", "Thu, 26 Nov 2026", "Thu, 26 Nov 2026, 14:05"),
        ("en_US", "Thu, Nov 26, 2026", "Thu, Nov 26, 2026, 2:05\u202fPM"),
        ("fr_CA", "jeu. 26 nov. 2026", "jeu. 26 nov. 2026, 14 h 05"),
    ],
)
def test_dates_and_times_follow_the_organisation_s_locale_and_zone(
    database_url, tmp_path, locale, day, moment
):
    app = make_app(database_url, tmp_path, LOCALE=locale, TIMEZONE="America/Toronto")
    with app.app_context():
        assert i18n.day_text(date(2026, 11, 26)) == day
        # Stored as UTC; shown in Toronto, five hours behind in November.
        assert i18n.when_text(datetime(2026, 11, 26, 19, 5, 33)) == moment
        assert str(i18n.when(datetime(2026, 11, 26, 19, 5, 33, 123456))).startswith(
            '<time datetime="2026-11-26T19:05:33Z">'
        )


@pytest.mark.parametrize(
    ("setting", "value", "says"),
    [("LOCALE", "xx_NOWHERE", "MEND_LOCALE"), ("TIMEZONE", "Mars/Olympus", "MEND_TIMEZONE")],
)
def test_a_locale_or_zone_mend_cannot_use_stops_it_at_start(
    database_url, tmp_path, setting, value, says
):
    with pytest.raises(i18n.SettingError, match=says):
        make_app(database_url, tmp_path, **{setting: value})
