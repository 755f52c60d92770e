"""The OAuth installation and state stores live in the bot's own database, made by our migration,
with every token encrypted at rest (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.oauth.installation_store.models.installation import Installation
from sqlalchemy import text

from bot.installation_store import installation_store, state_store, tenant_key
from storage import crypto
from storage.db import Database
from tests.conftest import TEST_KEY

BOT_TOKEN = "xoxb-111-222-workspacebottoken"
ORG_TOKEN = "xoxb-333-444-organisationtoken"
USER_TOKEN = "xoxp-555-666-installerusertoken"
REFRESH = "xoxe-1-refreshtokenforrotation"


@pytest.fixture
def db(database_url):
    crypto.configure(TEST_KEY)
    database = Database(database_url)
    database.upgrade()
    yield database
    database.dispose()


def _workspace_install(**overrides) -> Installation:
    values = dict(app_id="A0EXITBOT", enterprise_id=None, team_id="T0ACME001", team_name="Acme",
                  bot_token=BOT_TOKEN, bot_id="B0001", bot_user_id="UBOT0001", bot_scopes="chat:write",
                  bot_refresh_token=REFRESH, bot_token_expires_in=43200,
                  user_id="UHRACME01", user_token=USER_TOKEN, user_scopes="", is_enterprise_install=False,
                  token_type="bot")
    return Installation(**{**values, **overrides})


def _org_install() -> Installation:
    return _workspace_install(enterprise_id="E0GLOBEX1", enterprise_name="Globex", team_id=None, team_name=None,
                              bot_token=ORG_TOKEN, user_id="UHRGLOB01", is_enterprise_install=True,
                              bot_refresh_token=None, bot_token_expires_in=None, user_token=None)


def test_tokens_are_stored_encrypted_and_read_back_in_clear(db):
    store = installation_store("client-1", db.engine)
    store.save(_workspace_install())

    with db.engine.connect() as connection:
        raw = [tuple(row) for table in ("slack_installations", "slack_bots")
               for row in connection.execute(text(f"SELECT * FROM {table}"))]
    dump = repr(raw)
    for secret in (BOT_TOKEN, USER_TOKEN, REFRESH, "workspacebottoken", "installerusertoken"):
        assert secret not in dump
    assert "T0ACME001" in dump  # ids stay readable: they are looked up, and not secret

    found = store.find_installation(enterprise_id=None, team_id="T0ACME001")
    assert (found.bot_token, found.user_token, found.bot_refresh_token) == (BOT_TOKEN, USER_TOKEN, REFRESH)
    assert store.find_bot(enterprise_id=None, team_id="T0ACME001").bot_token == BOT_TOKEN


def test_an_org_wide_install_is_keyed_by_its_enterprise(db):
    store = installation_store("client-1", db.engine)
    store.save(_workspace_install())
    store.save(_org_install())

    assert store.tenant_keys() == ["E0GLOBEX1", "T0ACME001"]
    org = store.tenant("E0GLOBEX1")
    assert (org.is_enterprise_install, org.bot_token, org.installer_user_id, org.team_id) == \
        (True, ORG_TOKEN, "UHRGLOB01", None)
    # Bolt finds it for a request from any workspace of the organisation
    bot = store.find_bot(enterprise_id="E0GLOBEX1", team_id="T0ANYWS01", is_enterprise_install=True)
    assert bot.bot_token == ORG_TOKEN
    assert store.tenant("T0ACME001").bot_token == BOT_TOKEN
    assert store.tenant("T0NOBODY1") is None
    # another app's installations are not ours
    assert installation_store("client-2", db.engine).tenant_keys() == []


def test_a_reinstall_replaces_the_token_in_use(db):
    store = installation_store("client-1", db.engine)
    store.save(_workspace_install(installed_at=(datetime.now(UTC) - timedelta(days=1)).timestamp()))
    store.save(_workspace_install(bot_token="xoxb-111-222-newtoken"))
    assert store.tenant("T0ACME001").bot_token == "xoxb-111-222-newtoken"


def test_a_state_works_once(db):
    states = state_store(db.engine)
    state = states.issue()
    assert states.consume(state) is True
    assert states.consume(state) is False
    assert states.consume("made-up") is False


def test_tenant_key_rule():
    assert tenant_key("E1", "T1", True) == "E1"
    assert tenant_key("E1", "T1", False) == "T1"
    assert tenant_key(None, "T1", False) == "T1"
    assert tenant_key(None, None, False) is None
