"""OAuth installs (issue 15): the real install flow over HTTP, and installations side by side.

Acme is an ordinary workspace; Globex is an Enterprise Grid organisation (workspaces HQ and Labs)
that installs the app org-wide. Each is a tenant of its own: its HR sees only its own leavers, its
settings are its own, and the org-wide install reaches a leaver in any workspace of Globex.
"""

from __future__ import annotations

import http.client
import re
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
import yaml
from sqlalchemy import select, text

from bot.installations import SCOPES
from storage.models import Departure
from tests.conftest import Harness

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "oauth-client-secret"

ACME, ACME_HR, ACME_LEAVER = "T0ACME001", "UACMEHR01", "UACMELV01"
GLOBEX, GLOBEX_HQ, GLOBEX_LABS = "E0GLOBEX1", "T0GLOBHQ1", "T0GLOBLB2"
GLOBEX_HR, GLOBEX_LEAVER, LABS_LEAVER = "UGLOBHR01", "UGLOBLV01", "ULABSLV01"


@pytest.fixture
def oauth(settings, slack):
    harness = oauth_setup(settings, slack)
    yield harness
    harness.stop()
    _drop_tenant_schemas(settings.database_url)


def oauth_setup(settings, slack) -> Harness:
    """The bot in OAuth mode, not installed anywhere yet, beside Acme and Globex's workspaces."""
    slack.add_oauth_app(CLIENT_ID, CLIENT_SECRET)
    slack.add_team(ACME, "Acme")
    slack.add_team(GLOBEX_HQ, "Globex HQ", enterprise_id=GLOBEX, enterprise_name="Globex")
    slack.add_team(GLOBEX_LABS, "Globex Labs", enterprise_id=GLOBEX)
    slack.add_user(ACME_HR, "alice", locale="en-US", team_id=ACME)
    slack.add_user(ACME_LEAVER, "arie", locale="nl-NL", team_id=ACME)
    slack.add_user(GLOBEX_HR, "greta", locale="nl-NL", team_id=GLOBEX_HQ)
    slack.add_user(GLOBEX_LEAVER, "gijs", locale="nl-NL", team_id=GLOBEX_HQ)
    slack.add_user(LABS_LEAVER, "lotte", locale="nl-NL", team_id=GLOBEX_LABS)
    oauth_settings = replace(settings, bot_token="", client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                             hr_user_ids=frozenset())
    return Harness(oauth_settings, slack).start()


def _drop_tenant_schemas(database_url: str) -> None:
    """The tenants' schemas beside the test's own (conftest drops that one)."""
    if not database_url.startswith("postgresql"):
        return
    from sqlalchemy import create_engine

    engine = create_engine(database_url)
    with engine.begin() as connection:
        base = connection.execute(text("SELECT current_schema()")).scalar()
        names = connection.execute(text("SELECT schema_name FROM information_schema.schemata "
                                        "WHERE schema_name LIKE :prefix"), {"prefix": base + "\\_%"}).scalars().all()
        for name in names:
            connection.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
    engine.dispose()


def _get(harness, path: str, query: dict | None = None, headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", harness.bot.port, timeout=30)
    connection.request("GET", path + ("?" + urlencode(query) if query else ""), headers=headers or {})
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    return response.status, response.headers, body


def install(harness, installer: str, *, team_id: str | None = None, enterprise_id: str | None = None,
            language: str = "en") -> tuple[int, str]:
    """An admin opens the install link, allows the app on Slack's consent screen, and is sent back."""
    status, headers, _ = _get(harness, "/slack/install")
    assert status == 302
    consent_screen = urlparse(headers["Location"])
    asked = parse_qs(consent_screen.query)
    assert consent_screen.netloc == "slack.com" and asked["client_id"] == [CLIENT_ID]
    assert set(asked["scope"][0].split(",")) == set(SCOPES)
    state = asked["state"][0]
    cookie = headers["Set-Cookie"].split(";")[0]
    assert state in cookie
    code = harness.slack.consent(installer, team_id=team_id, enterprise_id=enterprise_id)
    status, _, page = _get(harness, "/slack/oauth_redirect", {"code": code, "state": state},
                           {"Cookie": cookie, "Accept-Language": language})
    return status, page


def tenant(harness, key: str):
    services = harness.bot.installations.services_for(key)
    assert services is not None, f"no installation for {key}"
    return services


def departures(services) -> list[str]:
    with services.db.session() as session:
        return list(session.scalars(select(Departure.employee_id).order_by(Departure.id)))


def last_reply_text(harness) -> str:
    reply = harness.last_response()
    return reply["text"] + " " + str(reply.get("blocks", ""))


def test_the_install_flow_stores_the_installation_encrypted_and_the_installer_runs_hr(oauth, slack):
    status, page = install(oauth, ACME_HR, team_id=ACME, language="en-GB,en;q=0.8")
    assert status == 200
    assert "Exit Interview is installed" in page and "Acme" in page

    token = next(t for t, s in slack.scopes.items() if s.team_id == ACME)
    with oauth.bot.db.engine.connect() as connection:
        rows = [tuple(r) for r in connection.execute(text("SELECT * FROM slack_installations"))]
        rows += [tuple(r) for r in connection.execute(text("SELECT * FROM slack_bots"))]
    assert len(rows) == 2 and ACME in repr(rows)
    assert token not in repr(rows) and "installtoken" not in repr(rows)
    assert oauth.bot.installations.store.tenant(ACME).bot_token == token

    # The installer is HR of the new tenant: registers a leaver with the slash command...
    acme = tenant(oauth, ACME)
    last_day = acme.calendar.working_days_after(acme.today(), 2)
    oauth.register(ACME_LEAVER, last_day, as_user=ACME_HR)
    assert "Registered <@" in last_reply_text(oauth)
    # ...and the leaver's invitation goes out with the installation's own token.
    invitation = oauth.invitation_for(ACME_LEAVER)
    assert "exitgesprek" in invitation.text
    posts = [c for c in slack.calls_to("chat.postMessage") if c.params.get("channel") in (ACME_LEAVER, "DACMELV01")]
    assert posts and {c.token for c in posts} == {token}
    assert departures(acme) == [ACME_LEAVER]
    assert departures(oauth.bot.services) == []  # nothing in the main database


def test_the_redirect_needs_the_state_this_browser_was_given_and_uses_it_once(oauth, slack):
    status, headers, _ = _get(oauth, "/slack/install")
    state = parse_qs(urlparse(headers["Location"]).query)["state"][0]
    cookie = headers["Set-Cookie"].split(";")[0]

    code = slack.consent(ACME_HR, team_id=ACME)
    assert _get(oauth, "/slack/oauth_redirect", {"code": code, "state": state})[0] == 400  # another browser
    status, _, page = _get(oauth, "/slack/oauth_redirect", {"code": code, "state": "made-up"},
                           {"Cookie": "slack-app-oauth-state=made-up", "Accept-Language": "nl"})
    assert status == 401 and "niet geïnstalleerd" in page
    assert _get(oauth, "/slack/oauth_redirect", {"code": code, "state": state}, {"Cookie": cookie})[0] == 200
    # the same state again (a replayed link) is refused
    assert _get(oauth, "/slack/oauth_redirect", {"code": code, "state": state}, {"Cookie": cookie})[0] == 401
    # Slack's cancel button
    status, _, page = _get(oauth, "/slack/oauth_redirect", {"error": "access_denied", "state": state},
                           {"Accept-Language": "en"})
    assert status == 200 and "cancelled" in page
    assert oauth.bot.installations.keys() == [ACME]


def test_an_uninstalled_workspace_gets_nothing(oauth, slack):
    slack.add_team("T0OTHER01", "Other")
    slack.add_user("UOTHERHR1", "olga", team_id="T0OTHER01")
    reply = oauth.user.slash("UOTHERHR1", "list")
    assert reply.status == 200
    told = slack.workspace.responses[-1]["text"]
    assert "niet meer) geïnstalleerd" in told and "not installed for this workspace" in told
    assert oauth.bot.installations.keys() == []


def test_two_installations_side_by_side_never_see_each_others_data(oauth, slack):
    assert install(oauth, ACME_HR, team_id=ACME)[0] == 200
    assert install(oauth, GLOBEX_HR, enterprise_id=GLOBEX, language="nl")[0] == 200
    assert oauth.bot.installations.keys() == [GLOBEX, ACME]
    acme, globex = tenant(oauth, ACME), tenant(oauth, GLOBEX)
    far = acme.calendar.working_days_after(acme.today(), 30)

    oauth.register(ACME_LEAVER, far, as_user=ACME_HR)
    assert "Registered <@" in last_reply_text(oauth)
    oauth.register(GLOBEX_LEAVER, far, as_user=GLOBEX_HR)
    assert "is geregistreerd" in last_reply_text(oauth)
    assert departures(acme) == [ACME_LEAVER]
    assert departures(globex) == [GLOBEX_LEAVER]

    # /exit-interview list: each HR sees its own organisation's departures only
    oauth.user.slash(ACME_HR, "list")
    listing = last_reply_text(oauth)
    assert ACME_LEAVER in listing and GLOBEX_LEAVER not in listing
    oauth.user.slash(GLOBEX_HR, "list")
    listing = last_reply_text(oauth)
    assert GLOBEX_LEAVER in listing and ACME_LEAVER not in listing

    # HR of one organisation is nobody in the other: not HR there, and its people are not found
    oauth.user.slash(GLOBEX_HR, f"cancel <@{ACME_LEAVER}>")
    assert ACME_LEAVER in departures(acme)
    oauth.register(GLOBEX_LEAVER, far, as_user=ACME_HR)
    assert departures(acme) == [ACME_LEAVER]

    # The App Home
    oauth.user.open_home(ACME_HR)
    oauth.user.open_home(GLOBEX_HR)
    acme_home = str(slack.workspace.home_views[ACME_HR])
    globex_home = str(slack.workspace.home_views[GLOBEX_HR])
    assert ACME_LEAVER in acme_home and GLOBEX_LEAVER not in acme_home
    assert GLOBEX_LEAVER in globex_home and ACME_LEAVER not in globex_home

    # The report counts each organisation's own registrations
    for hr in (ACME_HR, GLOBEX_HR):
        before = len(slack.workspace.responses)
        oauth.user.slash(hr, "report")
        report = " ".join(str(r) for r in slack.workspace.responses[before:])
        registered = re.search(r"\*(?:Registered|Aangemeld)\*\\n(\d+)", report)
        assert registered and registered.group(1) == "1", report[:400]


def test_settings_are_per_organisation(oauth, slack):
    from tests.test_settings import HomeView

    install(oauth, ACME_HR, team_id=ACME)
    install(oauth, GLOBEX_HR, enterprise_id=GLOBEX)
    acme, globex = tenant(oauth, ACME), tenant(oauth, GLOBEX)
    assert acme.settings.hr_user_ids == {ACME_HR} and globex.settings.hr_user_ids == {GLOBEX_HR}

    oauth.user.open_home(GLOBEX_HR)
    oauth.user.click(GLOBEX_HR, HomeView(slack.workspace.home_views[GLOBEX_HR]), "home:settings")
    view = list(slack.workspace.views.values())[-1]
    assert view["callback_id"] == "settings_modal"
    reply = oauth.user.submit_view(GLOBEX_HR, view, {"invite_working_days_before": "5",
                                                     "default_language": "en"})
    assert reply.status == 200 and not reply.body

    assert globex.settings.invite_working_days_before == 5 and globex.settings.default_language == "en"
    assert acme.settings.invite_working_days_before == 10 and acme.settings.default_language == "nl"
    with acme.db.session() as session:
        assert session.execute(text("SELECT count(*) FROM settings")).scalar() == 0
    # a restart reads each organisation's settings back from its own data space
    oauth.restart()
    assert tenant(oauth, GLOBEX).settings.invite_working_days_before == 5
    assert tenant(oauth, ACME).settings.invite_working_days_before == 10


def test_an_org_wide_install_reaches_a_leaver_in_any_workspace_of_the_organisation(oauth, slack):
    install(oauth, ACME_HR, team_id=ACME)
    install(oauth, GLOBEX_HR, enterprise_id=GLOBEX)
    globex = tenant(oauth, GLOBEX)
    org_token = next(t for t, s in slack.scopes.items() if s.org_wide)

    # HR in Globex HQ registers Lotte, who works in Globex Labs
    oauth.register(LABS_LEAVER, globex.calendar.working_days_after(globex.today(), 2), as_user=GLOBEX_HR)
    assert "is geregistreerd" in last_reply_text(oauth)
    invitation = oauth.invitation_for(LABS_LEAVER)
    assert "exitgesprek" in invitation.text
    posts = [c for c in slack.calls_to("chat.postMessage") if c.params.get("channel") in (LABS_LEAVER, "DLABSLV01")]
    assert {c.token for c in posts} == {org_token}

    # Lotte answers from Labs: the click reaches Globex's tenant (the org install), not another
    reply = oauth.user.click(LABS_LEAVER, invitation, "invitation.talk")
    assert reply.status == 200
    with globex.db.session() as session:
        assert session.scalars(select(Departure.stage)).one() in ("talk_requested", "talk")
    # People are known org-wide (names scrubbed from quotes), and only within the organisation
    names = globex.directory.member_names()
    assert {"gijs", "lotte", "greta"} <= set(names) and "arie" not in names
    assert "gijs" not in tenant(oauth, ACME).directory.member_names()
    # Acme's workspace install does not reach Globex's people
    oauth.register(LABS_LEAVER, globex.calendar.working_days_after(globex.today(), 30), as_user=ACME_HR)
    assert departures(tenant(oauth, ACME)) == []


def test_the_scheduler_sweeps_every_installation(oauth, slack):
    install(oauth, ACME_HR, team_id=ACME)
    install(oauth, GLOBEX_HR, enterprise_id=GLOBEX)
    acme, globex = tenant(oauth, ACME), tenant(oauth, GLOBEX)
    for services, hr, leaver in ((acme, ACME_HR, ACME_LEAVER), (globex, GLOBEX_HR, LABS_LEAVER)):
        oauth.register(leaver, services.calendar.working_days_after(services.today(), 30), as_user=hr)
    jobs = dict(oauth.bot.scheduler.planned_jobs())
    assert any(j.startswith(f"invitation:{ACME}:") for j in jobs)
    assert any(j.startswith(f"invitation:{GLOBEX}:") for j in jobs)
    assert f"digest:{ACME}" in jobs and f"digest:{GLOBEX}" in jobs and "digest" not in jobs

    # time passes beyond both invitation moments; the sweep sends each from its own data space
    # (to a working morning: invitations only go out in the leaver's working hours)
    from datetime import datetime, time

    day = acme.calendar.working_days_after(acme.today(), 35)
    morning = datetime.combine(day, time(11), tzinfo=acme.settings.tz)
    oauth.clock.advance(morning - oauth.clock.now())
    oauth.bot.scheduler.run_sweep_now()
    oauth.invitation_for(ACME_LEAVER)
    oauth.invitation_for(LABS_LEAVER)


def test_the_manifest_asks_for_the_scopes_the_install_link_asks_for():
    manifest = yaml.safe_load((Path(__file__).parents[1] / "manifest.yml").read_text())
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == set(SCOPES)
    assert any(url.endswith("/slack/oauth_redirect") for url in manifest["oauth_config"]["redirect_urls"])
    assert manifest["settings"]["org_deploy_enabled"] is True


def test_uninstalling_forgets_the_tokens_and_a_reinstall_finds_the_data_again(oauth, slack):
    install(oauth, ACME_HR, team_id=ACME)
    acme = tenant(oauth, ACME)
    oauth.register(ACME_LEAVER, acme.calendar.working_days_after(acme.today(), 30), as_user=ACME_HR)
    token = next(t for t, s in slack.scopes.items() if s.team_id == ACME)

    slack.uninstall(token)
    assert oauth.user.event({"type": "app_uninstalled"}, from_user=ACME_HR).status == 200
    assert oauth.bot.installations.keys() == []
    with oauth.bot.db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM slack_installations")).scalar() == 0
        assert connection.execute(text("SELECT count(*) FROM slack_bots")).scalar() == 0
    assert f"digest:{ACME}" not in dict(oauth.bot.scheduler.planned_jobs())
    oauth.user.slash(ACME_HR, "list")
    assert "not installed for this workspace" in oauth.last_response()["text"]
    # the daily retention purge still runs over the records of an organisation that left
    assert oauth.bot.installations.all() == []
    kept = [(s.tenant, departures(s)) for s in oauth.bot.installations.for_retention()]
    assert kept == [(ACME, [ACME_LEAVER])]

    install(oauth, ACME_HR, team_id=ACME)
    oauth.user.slash(ACME_HR, "list")
    assert ACME_LEAVER in last_reply_text(oauth)


def test_oauth_mode_from_the_environment():
    from bot.config import ConfigError, load_settings

    base = {"SLACK_SIGNING_SECRET": "secret", "DATABASE_URL": "sqlite:///x.sqlite3"}
    settings = load_settings({**base, "SLACK_CLIENT_ID": CLIENT_ID, "SLACK_CLIENT_SECRET": CLIENT_SECRET})
    assert settings.oauth and not settings.bot_token and CLIENT_SECRET not in repr(settings)
    assert not load_settings({**base, "SLACK_BOT_TOKEN": "xoxb-1", "HR_USER_IDS": "U0123456"}).oauth
    for environment, named in (
        ({"SLACK_CLIENT_ID": CLIENT_ID}, "SLACK_CLIENT_SECRET"),
        ({"SLACK_CLIENT_ID": CLIENT_ID, "SLACK_CLIENT_SECRET": "s", "SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_CLIENT_ID": CLIENT_ID, "SLACK_CLIENT_SECRET": "s", "SLACK_APP_TOKEN": "xapp-1"}, "SLACK_APP_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "HR_USER_IDS"),
    ):
        with pytest.raises(ConfigError, match=named):
            load_settings({**base, **environment})


def test_with_one_token_an_uninstall_event_is_acknowledged(harness):
    assert harness.user.event({"type": "app_uninstalled"}).status == 200
    assert harness.user.event({"type": "tokens_revoked", "tokens": {"bot": ["UBOT0EXIT"]}}).status == 200


def test_the_install_routes_never_answer_500(oauth, slack, caplog):
    for query in ({}, {"state": "x"}, {"code": "c"}, {"code": "\u0000<script>", "state": "\ufffd" * 300},
                  {"error": "<b>"}):
        status, _, page = _get(oauth, "/slack/oauth_redirect", query)
        assert 200 <= status < 500 and "<b>" not in page
    # the database under the state store is away: a page asking to try again, and no secrets logged
    with oauth.bot.db.engine.begin() as connection:
        connection.execute(text("DROP TABLE slack_oauth_states"))
    status, _, page = _get(oauth, "/slack/install", headers={"Accept-Language": "nl-NL"})
    assert status == 503 and "Probeer het over een minuut opnieuw" in page
    code = slack.consent(ACME_HR, team_id=ACME)
    status, _, _ = _get(oauth, "/slack/oauth_redirect", {"code": code, "state": "s"},
                        {"Cookie": "slack-app-oauth-state=s"})
    assert 400 <= status < 500  # the state cannot be confirmed: refused, not installed
    assert oauth.bot.installations.keys() == []
    assert CLIENT_SECRET not in caplog.text and code not in caplog.text


def _token_of(slack, *, team_id: str | None = None, enterprise_id: str | None = None) -> str:
    return next(t for t, s in slack.scopes.items()
                if (team_id and s.team_id == team_id and not s.org_wide)
                or (enterprise_id and s.org_wide and s.enterprise_id == enterprise_id))


def test_an_org_wide_uninstall_removes_that_organisation_only(oauth, slack):
    install(oauth, ACME_HR, team_id=ACME)
    install(oauth, GLOBEX_HR, enterprise_id=GLOBEX)
    acme, globex = tenant(oauth, ACME), tenant(oauth, GLOBEX)
    far = acme.calendar.working_days_after(acme.today(), 30)
    oauth.register(ACME_LEAVER, far, as_user=ACME_HR)
    oauth.register(LABS_LEAVER, far, as_user=GLOBEX_HR)

    # Globex's admin removes the org-wide install: Slack sends app_uninstalled for the organisation
    # (enterprise_id, no team_id), from whichever workspace.
    slack.uninstall(_token_of(slack, enterprise_id=GLOBEX))
    assert oauth.user.event({"type": "app_uninstalled"}, from_user=LABS_LEAVER).status == 200
    assert oauth.bot.installations.keys() == [ACME]
    jobs = dict(oauth.bot.scheduler.planned_jobs())
    assert f"digest:{GLOBEX}" not in jobs and f"digest:{ACME}" in jobs
    oauth.user.slash(GLOBEX_HR, "list")
    assert "not installed for this workspace" in oauth.last_response()["text"]
    # Acme goes on as before; Globex's records stay for a reinstall (and the retention purge).
    oauth.user.slash(ACME_HR, "list")
    assert ACME_LEAVER in last_reply_text(oauth)
    assert sorted((s.tenant, departures(s)) for s in oauth.bot.installations.for_retention()) == \
        [(GLOBEX, [LABS_LEAVER]), (ACME, [ACME_LEAVER])]
    assert departures(globex) == [LABS_LEAVER]


def test_a_revoked_bot_token_stops_that_installations_jobs(oauth, slack):
    from datetime import datetime, time

    install(oauth, ACME_HR, team_id=ACME)
    install(oauth, GLOBEX_HR, enterprise_id=GLOBEX)
    acme = tenant(oauth, ACME)
    for hr, leaver in ((ACME_HR, ACME_LEAVER), (GLOBEX_HR, LABS_LEAVER)):
        oauth.register(leaver, acme.calendar.working_days_after(acme.today(), 30), as_user=hr)
    acme_token = _token_of(slack, team_id=ACME)
    acme_bot = slack.scopes[acme_token].bot_user_id

    slack.revoke(acme_token)
    reply = oauth.user.event({"type": "tokens_revoked", "tokens": {"bot": [acme_bot]}}, from_user=ACME_HR)
    assert reply.status == 200
    assert oauth.bot.installations.keys() == [GLOBEX]
    assert f"digest:{ACME}" not in dict(oauth.bot.scheduler.planned_jobs())
    revoked_at = len(slack.calls)

    # Both invitations fall due: Globex's goes out, nothing is tried with Acme's dead token.
    day = acme.calendar.working_days_after(acme.today(), 35)
    oauth.clock.advance(datetime.combine(day, time(11), tzinfo=acme.settings.tz) - oauth.clock.now())
    oauth.bot.scheduler.run_sweep_now()
    oauth.invitation_for(LABS_LEAVER)
    oauth.bot.scheduler.run_sweep_now()
    slack.wait_for(lambda: sum(1 for c in slack.calls[revoked_at:] if c.method == "chat.postMessage") >= 1, 10,
                   "the sweep")
    assert [c.method for c in slack.calls[revoked_at:] if c.token == acme_token] == []
    assert slack.dms_to(ACME_LEAVER) == []
    # A reinstall picks the records up again.
    install(oauth, ACME_HR, team_id=ACME)
    oauth.user.slash(ACME_HR, "list")
    assert ACME_LEAVER in last_reply_text(oauth)


def test_revoked_user_tokens_leave_the_installation_alone(oauth, slack):
    """Installs are bot-only: a user token Slack revokes (the installer's, say) is none of ours, and
    the installer's row holds the bot token the organisation still works with."""
    install(oauth, ACME_HR, team_id=ACME)
    assert oauth.user.event({"type": "tokens_revoked", "tokens": {"oauth": [ACME_HR]}},
                            from_user=ACME_HR).status == 200
    assert oauth.bot.installations.keys() == [ACME]
    oauth.user.slash(ACME_HR, "list")
    assert "not installed" not in last_reply_text(oauth)


def test_many_installations_on_postgresql_share_one_pool(database_url):
    """One pool per installation (up to 20 connections each) would exhaust PostgreSQL's
    max_connections at about twenty installations: every schema borrows the main database's pool,
    and each connection's search_path follows whichever data space uses it."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite data spaces are files, each with its own engine")
    from concurrent.futures import ThreadPoolExecutor

    from bot.installations import tenant_database
    from storage import crypto
    from storage.db import Database
    from tests.conftest import TEST_KEY

    crypto.configure(TEST_KEY)
    main = Database(database_url)
    try:
        with main.engine.connect() as connection:
            main_schema = connection.execute(text("SELECT current_schema()")).scalar()
        spaces = {f"T{n:04d}": tenant_database(main, f"T{n:04d}") for n in range(30)}
        for key, db in spaces.items():
            assert db.engine.pool is main.engine.pool
            with db.engine.begin() as connection:
                connection.execute(text("CREATE TABLE marker (tenant text)"))
                connection.execute(text("INSERT INTO marker VALUES (:key)"), {"key": key})

        def whose(key: str) -> tuple[str, str]:
            with spaces[key].session() as session:
                return key, session.execute(text("SELECT tenant FROM marker")).scalar()

        with ThreadPoolExecutor(max_workers=12) as pool:
            answers = list(pool.map(whose, [key for _ in range(5) for key in spaces]))
        assert all(key == seen for key, seen in answers)
        assert main.engine.pool.checkedout() == 0 and main.engine.pool.size() <= 10

        # A rolled-back unit of work leaves the connection's path as it should be, and the main
        # database gets its own path back on a connection a tenant used.
        with pytest.raises(RuntimeError), spaces["T0001"].session() as session:
            session.execute(text("SELECT 1 FROM marker"))
            raise RuntimeError("undo")
        assert whose("T0002") == ("T0002", "T0002")
        with main.engine.connect() as connection:
            assert connection.execute(text("SELECT current_schema()")).scalar() == main_schema
    finally:
        main.dispose()
        _drop_tenant_schemas(database_url)


def test_an_installation_another_process_removed_stops_here_within_a_sweep(oauth, slack):
    install(oauth, ACME_HR, team_id=ACME)
    install(oauth, GLOBEX_HR, enterprise_id=GLOBEX)
    tenant(oauth, ACME)
    # Another process (a web process; this one leads the scheduler) handled Acme's app_uninstalled.
    oauth.bot.installations.store.delete_all(enterprise_id=None, team_id=ACME)
    oauth.bot.scheduler.run_sweep_now()
    slack.wait_for(lambda: f"digest:{ACME}" not in dict(oauth.bot.scheduler.planned_jobs()), 10,
                   "Acme's digest to stop")
    assert f"digest:{GLOBEX}" in dict(oauth.bot.scheduler.planned_jobs())
    assert oauth.bot.installations.services_for(ACME) is None
