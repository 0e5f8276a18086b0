"""Words and dates for people.

Every word a person reads is marked for translation with Flask-Babel (English only for
now: ``make messages`` extracts them). Dates and times have one format across Mend, the
organisation's locale's (``MEND_LOCALE``) in its time zone (``MEND_TIMEZONE``): a day
such as "Thu, 26 Nov 2026", a time such as "14:05", both as "Thu, 26 Nov 2026, 14:05".
In a page each is a ``<time>`` whose ``datetime`` a machine reads to the whole second.
"""

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.dates import get_datetime_format, parse_pattern
from babel.numbers import format_decimal
from flask import current_app
from flask_babel import Babel, get_translations
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape

from rj.clock import local

babel = Babel()


def _escaped(lazy):
    return escape(str(lazy))


# Flask-Babel's lazy strings (form labels, vocabulary) call themselves safe markup, so a
# quote in a label would come out raw, even inside an attribute. They are words, never
# markup: escape them like any other text.
LazyString.__html__ = _escaped


class SettingError(ValueError):
    """A locale or time zone Mend cannot use: said at start-up, not on every page."""


def check_settings(config):
    try:
        Locale.parse(config["LOCALE"])
    except (UnknownLocaleError, ValueError, TypeError) as error:
        raise SettingError(f"MEND_LOCALE: {config['LOCALE']!r} is not a locale") from error
    try:
        ZoneInfo(config["TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise SettingError(f"MEND_TIMEZONE: {config['TIMEZONE']!r} is not a time zone") from None


def locale():
    return current_app.config["LOCALE"]


@lru_cache(maxsize=8)
def _patterns(name):
    """The locale's patterns, parsed once: a day, a time, and how the two join."""
    where = Locale.parse(name)
    day = parse_pattern(where.datetime_skeletons["yMMMEd"])
    return where, day, where.time_formats["short"], get_datetime_format("medium", locale=where)


def day_text(day):
    """A date, or the day of a stored UTC time, in words: "Thu, 26 Nov 2026"."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = local(day).date()
    where, pattern, _time, _join = _patterns(locale())
    return pattern.apply(day, where)


def time_text(moment):
    """The time of day of a stored UTC time, in the organisation's zone: "14:05"."""
    if moment is None:
        return ""
    where, _day, pattern, _join = _patterns(locale())
    return pattern.apply(local(moment), where)


def when_text(moment):
    """A stored UTC time as a day and a time: "Thu, 26 Nov 2026, 14:05"."""
    if moment is None:
        return ""
    where, day_pattern, time_pattern, join = _patterns(locale())
    there = local(moment)
    day, clock_time = day_pattern.apply(there.date(), where), time_pattern.apply(there, where)
    return join.replace("{1}", day).replace("{0}", clock_time)


# What app.js says, marked here like every other word and handed to it as JSON in each
# page (base.html). Values are %(name)s placeholders; a count has a form per plural
# category the language has (app.js picks one with Intl.PluralRules, "other" at worst).
SCRIPT_WORDS = {
    "error_status": _l("That did not work (error %(status)s)."),
    "unreachable": _l(
        "Mend could not be reached. Check the network and try again; nothing was changed."
    ),
    "session_ended": _l("Your session has ended."),
    "sign_in_again": _l("Sign in again in a new tab, then retry here"),
    "now_in": _l("%(reference)s is now in %(stage)s"),
    "move_back_reason": _l("A move back to %(stage)s needs a reason."),
    "stages": _l("Stages"),
    "sending": _l("Sending…"),
    "draft_saved": _l("Draft saved."),
    "draft_saved_at": _l("Draft saved at %(time)s."),
    "offline_kept": _l(
        "You are offline. This account is kept on this tablet and will be sent when the "
        "network returns."
    ),
    "offline_send_later": _l(
        "You are offline. Keep writing: the account is sent when you press Send and the "
        "network returns."
    ),
    "offline_keep_writing": _l("You are offline. Keep writing: nothing is lost."),
    "not_accepted": _l("The account was not accepted."),
    "queued_saved": _l(
        "An account kept on this tablet was sent and saved at %(time)s for %(reference)s."
    ),
    "not_sent": _l("This account was not sent: %(problem)s Nothing is lost."),
    "queued_not_sent": _l(
        "An account kept on this tablet was not sent: %(problem)s Open your unsent accounts "
        "to finish it."
    ),
}


def script_words():
    """SCRIPT_WORDS in the organisation's language, with the counter's plural forms."""
    words = {key: str(text) for key, text in SCRIPT_WORDS.items()}
    catalogue = get_translations()  # its ngettext leaves %(num)s for app.js to fill
    for n, category in ((1, "one"), (2, "other")):
        words[f"chars_over_{category}"] = catalogue.ngettext(
            "You have %(num)s character too many.", "You have %(num)s characters too many.", n
        )
        words[f"chars_left_{category}"] = catalogue.ngettext(
            "You have %(num)s character remaining.", "You have %(num)s characters remaining.", n
        )
    return words


def html_lang():
    """The organisation's locale as a page's ``lang``: ``en_GB`` is ``en-GB``."""
    return locale().replace("_", "-")


def number_text(number):
    return format_decimal(number, locale=locale())


def _time(machine, text):
    return Markup('<time datetime="{}">{}</time>').format(machine, escape(text))


def _utc(moment):
    return moment.replace(microsecond=0).isoformat() + "Z"


def when(moment):
    """``when_text`` in a ``<time>`` element."""
    return _time(_utc(moment), when_text(moment)) if moment else ""


def day(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _time(_utc(value), day_text(value))
    return _time(value.isoformat(), day_text(value))


def clock(moment):
    return _time(_utc(moment), time_text(moment)) if moment else ""


def any_time(value):
    """A value from a list of details: a time, a day, or text as it is."""
    if isinstance(value, datetime):
        return when(value)
    if isinstance(value, date):
        return day(value)
    return value


def _remember_translations(app):
    """Templates look each message up once per app, not on every use: a case page asks
    for a few words per timeline item. Mend has one locale per app (MEND_LOCALE), so a
    message's translation never changes while the app runs."""
    known = {}

    def gettext(message):
        try:
            return known[message]
        except KeyError:
            known[message] = text = get_translations().ugettext(message)
            return text

    app.jinja_env.install_gettext_callables(
        gettext=gettext,
        ngettext=lambda s, p, n: get_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: get_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: get_translations().unpgettext(c, s, p, n),
    )


def init_app(app):
    check_settings(app.config)
    app.config["BABEL_DEFAULT_LOCALE"] = app.config["LOCALE"]
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["TIMEZONE"]
    babel.init_app(app)
    # {% trans %} blocks are written across lines; their messages are one line each.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    _remember_translations(app)
    app.jinja_env.filters.update(
        when=when, day=day, clock=clock, any_time=any_time, number=number_text
    )
    app.jinja_env.globals["html_lang"] = html_lang
    app.jinja_env.globals["script_words"] = script_words
    app.jinja_env.filters["when_text"] = when_text
    app.jinja_env.filters["day_text"] = day_text
