"""The edge under hostile input: 2,000 signed, fuzzed payloads of every shape the app listens to
get an answer (no 5xx, no 404) and change nothing; clicks from the App Home are answered although
the Home has no response URL; refusals say the same whether or not an id exists."""

from __future__ import annotations

import json
import random
import re
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import inspect, text

from bot.emulator.client import APP_ID, TEAM_ID
from bot.listeners import actions, commands, events, views
from tests.conftest import COLLEAGUE, HR, LEAVER, LEAVER_EN, MANAGER
from tests.steps import click, invite


class _Recorder:
    """Stands in for the app in the `register` functions: records what each listens to."""

    def __init__(self):
        self.seen: dict[str, list] = {"action": [], "view": [], "command": [], "event": []}

    def __getattr__(self, name):
        def decorator_factory(matcher, *args, **kwargs):
            self.seen[name].append(matcher)
            return lambda function: function

        return decorator_factory


def registered() -> dict[str, list[str]]:
    recorder = _Recorder()
    for package in (actions, views, commands, events):
        package.register(recorder)
    samples = {"^invitation\\.(answer|talk|decline)$": ["invitation.answer", "invitation.talk", "invitation.decline"],
               "^q:choose:": ["q:choose:1", "q:choose:5", "q:choose:"], "^tpl:preview:": ["tpl:preview:x"]}
    action_ids = []
    for matcher in recorder.seen["action"]:
        if isinstance(matcher, re.Pattern):
            action_ids += samples[matcher.pattern]  # a KeyError here: a new pattern needs its samples
        else:
            action_ids.append(matcher)
    event_types = [m if isinstance(m, str) else m["type"] for m in recorder.seen["event"]]
    # Ids no listener has (an old message, a link button, an old modal, an unused event) are sent too.
    action_ids.append("stale:button")
    recorder.seen["view"].append("an_old_modal")
    event_types.append("reaction_added")
    return {"action": action_ids, "view": recorder.seen["view"], "command": recorder.seen["command"],
            "event": [*event_types, "message"]}


def home_click(harness, user_id: str, action_id: str, value: str):
    """A button on the App Home as Slack sends it: a view container and no response_url."""
    return harness.user.post_payload({
        "type": "block_actions", "team": {"id": TEAM_ID, "domain": "example"},
        "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM_ID}, "api_app_id": APP_ID,
        "token": "legacy-verification-token", "container": {"type": "view", "view_id": "VHOME0001"},
        "trigger_id": "77.trigger", "view": {"id": "VHOME0001", "type": "home", "blocks": []},
        "actions": [{"action_id": action_id, "block_id": "b1", "type": "button", "value": value,
                     "action_ts": f"{time.time():.6f}"}],
    })


def test_record_talk_notes_on_the_home_tells_hr_why_not_in_a_dm(harness, slack):
    invitation = invite(harness, LEAVER)
    harness.user.click(LEAVER, invitation, "invitation.talk")
    harness.wait_for_stage(LEAVER, "talk_requested")
    with harness.services.db.session() as session:
        departure_id, last_day = session.execute(text("SELECT id, last_day FROM departures")).one()
    last_day = last_day if not isinstance(last_day, str) else __import__("datetime").date.fromisoformat(last_day)
    harness.clock.advance(last_day - harness.today() + timedelta(days=16))  # too late for notes now
    dms = len(slack.dms_to(HR))
    reply = home_click(harness, HR, "talk.record_notes", str(departure_id))
    assert reply.status == 200
    told = slack.wait_for(lambda: slack.dms_to(HR)[dms:], what="a DM to HR")
    assert "die tijd is voorbij" in told[0].text
    assert slack.calls_to("views.open") == []


def test_a_refused_click_reads_the_same_for_a_real_and_an_unknown_id_in_the_clickers_language(harness, slack):
    invitation = invite(harness, LEAVER_EN)  # an English leaver; the colleague reads Dutch
    harness.user.click(COLLEAGUE, invitation, "invitation.decline")
    real = slack.workspace.responses[-1]["text"]
    harness.user.click(COLLEAGUE, invitation, "invitation.decline", value="424242")
    unknown = slack.workspace.responses[-1]["text"]
    assert real == unknown and "niet meer vinden" in real  # Dutch: nothing about the leaver's language
    assert harness.stage_of(LEAVER_EN) == "invited"

    with harness.services.db.session() as session:
        departure_id = session.scalar(text("SELECT id FROM departures"))
    for action_id in ("talk.record_notes",):
        home_click(harness, COLLEAGUE, action_id, str(departure_id))
        home_click(harness, COLLEAGUE, action_id, "424242")
        first, second = (m.text for m in slack.dms_to(COLLEAGUE)[-2:])
        assert first == second and "Alleen HR" in first


# -- the fuzz --------------------------------------------------------------------------------------------

FORGED_USERS = [COLLEAGUE, MANAGER, "UNOBODY00", "", "U" * 5000, "<!channel>", "U1\nINFO forged"]
STRANGE = [None, "", 0, -1, 1.5, True, [], {}, [1, 2], {"id": None}, "x" * 5_000, "999999", "1e9", "../../etc",
           "\x00\u202e\n", "<!channel>", "-1", "0", "1", "2", "99999999999999999999999"]


def _user_block(rng, user_id):
    return {"id": user_id, "username": "someone", "team_id": TEAM_ID} if rng.random() > 0.1 else rng.choice(STRANGE)


def _mutate(rng, payload: dict, keep: set[str]) -> dict:
    """Drop or replace fields at random, recursively, except the ones Slack routes by."""
    result = {}
    for key, value in payload.items():
        roll = rng.random()
        if key in keep:
            result[key] = value
        elif roll < 0.12:
            continue  # missing
        elif roll < 0.25:
            result[key] = rng.choice(STRANGE)  # wrong type / huge / forged
        elif isinstance(value, dict):
            result[key] = _mutate(rng, value, keep)
        else:
            result[key] = value
    return result


def fuzzed(rng: random.Random, kind: str, routes: dict[str, list[str]], departure_ids: list[int],
           response_url: str):
    """(body, content type) of one signed request."""
    # Mostly ids no one has (DMs to one person are paced at one a second, as Slack wants; the
    # harness answers only once a listener is done, so a crowd of requests from one person queues).
    user = rng.choice(FORGED_USERS) if rng.random() < 0.2 else f"UFZ{rng.randrange(10**6):06d}"
    value = str(rng.choice([*departure_ids, 0, 424242])) if rng.random() < 0.7 else rng.choice(STRANGE)
    if kind == "command":
        words = ["start", "cancel", "notes", "erase", "report", "help", "settings", "export", ""]
        fields = {"command": rng.choice(routes["command"]), "user_id": user, "team_id": TEAM_ID,
                  "text": f"{rng.choice(words)} <@{rng.choice([LEAVER, LEAVER_EN, 'UX'])}> {rng.choice(STRANGE)}",
                  "trigger_id": "1.t", "response_url": response_url, "channel_id": "C1"}
        fields = {k: v for k, v in fields.items() if k == "command" or rng.random() > 0.15}
        from urllib.parse import urlencode
        return urlencode({k: str(v) for k, v in fields.items()}), "application/x-www-form-urlencoded"
    if kind == "action":
        action = {"action_id": rng.choice(routes["action"]), "block_id": "b1", "type": "button", "value": value,
                  "selected_option": {"value": rng.choice(STRANGE)}, "selected_options": [{"value": "1"}],
                  "action_ts": "1.0"}
        payload = {"type": "block_actions", "user": _user_block(rng, user), "team": {"id": TEAM_ID},
                   "api_app_id": APP_ID, "trigger_id": "1.t", "container": {"type": "message", "message_ts": "1.1"},
                   "channel": {"id": "D1"}, "message": {"ts": "1.1", "blocks": rng.choice(STRANGE)},
                   "view": {"id": "V1", "private_metadata": value, "hash": "h", "state": {"values": {}}},
                   "state": {"values": {"b": {"a": {"type": "plain_text_input", "value": rng.choice(STRANGE)}}}}}
        if rng.random() < 0.5:
            payload["response_url"] = response_url
        mutated = _mutate(rng, payload, keep={"type"})
        mutated["actions"] = [_mutate(rng, action, keep={"action_id"})]
        return "payload=" + _quote(json.dumps(mutated)), "application/x-www-form-urlencoded"
    if kind == "view":
        block_values = {f"b{n}": {"a": {"type": rng.choice(["plain_text_input", "static_select", "datepicker",
                                                                 "users_select", "multi_static_select"]),
                                        "value": rng.choice(STRANGE), "selected_date": rng.choice(STRANGE),
                                        "selected_user": rng.choice(STRANGE),
                                        "selected_option": {"value": rng.choice(STRANGE)},
                                        "selected_options": [{"value": rng.choice(STRANGE)}]}}
                        for n in range(rng.randint(0, 4))}
        view = {"id": "V1", "type": "modal", "callback_id": rng.choice(routes["view"]), "private_metadata": value,
                "hash": "h", "state": {"values": block_values}, "blocks": []}
        payload = {"type": "view_submission", "user": _user_block(rng, user), "team": {"id": TEAM_ID},
                   "api_app_id": APP_ID, "trigger_id": "1.t", "response_urls": []}
        mutated = _mutate(rng, payload, keep={"type"})
        mutated["view"] = _mutate(rng, view, keep={"callback_id", "type"})
        return "payload=" + _quote(json.dumps(mutated)), "application/x-www-form-urlencoded"
    event = {"type": rng.choice(routes["event"]), "user": user if rng.random() > 0.2 else rng.choice(STRANGE),
             "channel": rng.choice(["D1", "C1", None, 5]), "channel_type": rng.choice(["im", "channel"]),
             "text": str(rng.choice(STRANGE)), "tab": rng.choice(["home", "messages"]), "ts": "1.1",
             "subtype": rng.choice([None, "file_share", "bot_message"]),
             "files": rng.choice([[{"id": "F1", "name": "x.yaml", "url_private_download": "http://127.0.0.1:1/f"}],
                                  None, "x"]),
             "user_obj": {"id": user, "deleted": True}}
    if event["type"] == "user_change":
        event["user"] = rng.choice([{"id": rng.choice([LEAVER, COLLEAGUE, "UX"]), "deleted": rng.random() < 0.5},
                                    rng.choice(STRANGE)])
    mutated = _mutate(rng, event, keep={"type"})
    body = {"type": "event_callback", "team_id": TEAM_ID, "api_app_id": APP_ID, "event": mutated,
            "event_id": f"EvFUZZ{rng.randrange(10**9)}", "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM_ID, "user_id": "UBOT0EXIT", "is_bot": True}]}
    return json.dumps(body), "application/json"


def _quote(text_: str) -> str:
    from urllib.parse import quote

    return quote(text_, safe="")


def snapshot(harness) -> dict[str, list]:
    """Every row of every table the bot keeps about people and their departures."""
    engine = harness.services.db.engine
    tables = [t for t in inspect(engine).get_table_names()
              # the scheduler's own clock, and the durable inbox: its rows record that a request came in;
              # the domain events' bookkeeping records that a follow-up ran (what it changed shows elsewhere)
              if t != "alembic_version" and not t.startswith("apscheduler")
              and t not in ("inbox", "domain_events", "event_deliveries")]
    with engine.connect() as connection:
        return {t: sorted(map(repr, connection.execute(text(f'SELECT * FROM "{t}"')).all())) for t in tables}


def test_two_thousand_fuzzed_signed_payloads_get_an_answer_and_change_nothing(harness, slack):
    invite(harness, LEAVER)
    invitation = invite(harness, LEAVER_EN)
    harness.user.click(LEAVER_EN, invitation, "invitation.answer")
    click(harness, LEAVER_EN, "q:choose:4")
    harness.register("ULEAVER03", harness.in_working_days(30))
    with harness.services.db.session() as session:
        departure_ids = list(session.scalars(text("SELECT id FROM departures")))
    routes = registered()
    assert "talk.record_notes" in routes["action"] and routes["view"] and routes["command"]
    before = snapshot(harness)

    rng = random.Random(12)
    kinds = ["command", "action", "action", "action", "view", "view", "event"]
    requests = [fuzzed(rng, rng.choice(kinds), routes, departure_ids, slack.response_url(f"fuzz{n}"))
                for n in range(2000)]

    def send(request):
        started = time.monotonic()
        reply = harness.user.post(*request)
        return reply.status, time.monotonic() - started, request

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(send, requests))
    failures = [(status, body[:300]) for status, _, (body, _) in results if status >= 500 or status == 404]
    assert failures == [], f"{len(failures)} bad answers, e.g. {failures[:3]}"
    slowest = max(seconds for _, seconds, _ in results)
    assert slowest < 3, f"an answer took {slowest:.2f} s: Slack gives up after 3 s"
    assert snapshot(harness) == before


def test_a_listener_that_fails_still_acks_and_the_user_is_told_in_words(harness, slack, caplog):
    from bot.blocks.settings import SETTINGS_CALLBACK

    dms = len(slack.dms_to(HR))
    reply = harness.user.post_payload({
        "type": "view_submission", "team": {"id": TEAM_ID}, "api_app_id": APP_ID, "trigger_id": "9.t",
        "user": {"id": HR, "username": "anna", "team_id": TEAM_ID}, "response_urls": [],
        "view": {"id": "V9", "type": "modal", "callback_id": SETTINGS_CALLBACK, "state": "not a state",
                 "private_metadata": "Anna's secret note"},
    })
    assert reply.status == 200  # acknowledged, so Slack shows no error of its own
    told = slack.wait_for(lambda: slack.dms_to(HR)[dms:], what="a DM to HR")
    assert "er ging iets mis" in told[0].text  # in HR's language (Dutch)
    assert "failed" in caplog.text and "secret" not in caplog.text
