"""Warm-up at start: the work the first requests would otherwise do while someone waits for them.

Right after a (re)start the process has not yet read its message catalogs or the questionnaire,
has no query compiled, and the database has the dashboard's tables and indexes cold. HR's dashboard
figures are also kept only while nothing changes: after every change they are counted again when
HR's Home is refreshed in the background (bot.operations.home.hr_changed), so a running bot has
them ready when HR opens the Home. This does the same once at start, in the background: the first
HR to open the Home then finds what they would find on any other day. Nothing is sent to Slack.
"""

from __future__ import annotations

import logging
import threading

from bot.i18n import LANGUAGES, Translator, catalog
from bot.services import Services

log = logging.getLogger(__name__)


def start(services: Services) -> threading.Thread:
    thread = threading.Thread(target=warm_up, args=(services,), name="warm-up", daemon=True)
    thread.start()
    return thread


def warm_up(services: Services) -> None:
    from bot.operations import breakdowns, home, templates

    try:
        for language in LANGUAGES:
            catalog(language)
        templates.active_template(services.db)
        home.dashboard(services)
        breakdowns.home_sections(services, Translator(services.settings.default_language))
    except Exception as error:  # only a head start: the requests do all of it themselves when needed
        log.info("the warm-up at start stopped early: %s", type(error).__name__)
