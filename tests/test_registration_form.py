"""The registration form asks for the last working day: no default that quietly means "today"."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.models import Departure
from tests.conftest import HR, LEAVER


class Home:
    """A Home tab clicked like a message: the emulator's click reads blocks, channel and ts."""

    def __init__(self, blocks):
        self.blocks, self.channel, self.ts, self.text = blocks, "", "home", ""


def count_departures(harness) -> int:
    with harness.services.db.session() as session:
        return session.scalar(select(func.count()).select_from(Departure))


def date_picker(view: dict) -> dict:
    return next(b for b in view["blocks"] if b.get("block_id") == "last_day")["element"]


def test_the_last_day_has_no_default_and_a_missing_date_is_an_error_at_the_field(harness, slack):
    harness.user.slash(HR, "start")
    view = next(iter(slack.workspace.views.values()))
    assert "initial_date" not in date_picker(view)

    # HR picks the leaver and leaves the date as the form shows it: nothing is registered.
    reply = harness.user.submit_view(HR, view, {"employee": LEAVER})

    assert reply.json() == {"response_action": "errors", "errors": {"last_day": "Kies de laatste werkdag."}}
    assert count_departures(harness) == 0
    assert slack.dms_to(LEAVER) == []


def test_the_form_opened_from_the_home_has_no_default_date_either(harness, slack):
    harness.user.open_home(HR)
    home = slack.wait_for(lambda: slack.workspace.home_views.get(HR), what="HR's Home")
    harness.user.click(HR, Home(home["blocks"]), "home:register")

    view = list(slack.workspace.views.values())[-1]
    assert view["callback_id"] == "register_departure"
    assert "initial_date" not in date_picker(view)
    assert date_picker(view)["placeholder"]["text"] == "Kies een datum"
