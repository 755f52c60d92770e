"""The Slack app manifest is valid for Slack and asks for exactly what the bot needs."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

REPO_ROOT = Path(__file__).resolve().parents[1]
MANIFEST_PATH = REPO_ROOT / "manifest.yml"
SCHEMA_PATH = (REPO_ROOT / ".." / "shared" / "slack" / "manifest.schema.1.0.0.json").resolve()

REQUIRED_BOT_SCOPES = {
    "chat:write",
    "im:write",
    "im:history",
    "commands",
    "users:read",
    "users:read.email",
    "usergroups:read",
    "files:write",
}


@pytest.fixture(scope="module")
def validator() -> Draft7Validator:
    if not SCHEMA_PATH.exists():
        pytest.skip(f"Slack manifest schema not found at {SCHEMA_PATH} (CI always provides it)")
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return yaml.safe_load(MANIFEST_PATH.read_text(encoding="utf-8"))


def schema_errors(validator: Draft7Validator, document: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}"
        for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.path)))
    ]


def test_manifest_validates_against_slacks_schema(validator, manifest):
    errors = schema_errors(validator, manifest)
    assert not errors, "manifest.yml does not match Slack's schema:\n" + "\n".join(errors)


def test_background_color_is_a_hex_colour(manifest):
    # The schema spells this constraint "regex", which JSON Schema ignores, so check it here.
    assert re.fullmatch(
        r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?", manifest["display_information"]["background_color"]
    )


def test_hr_can_use_the_exit_interview_command_with_escaped_mentions(manifest):
    commands = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    assert "/exit-interview" in commands
    command = commands["/exit-interview"]
    assert command["should_escape"] is True, "mentions must arrive as <@U123|name>"
    assert "start" in command["usage_hint"]


def test_bot_asks_for_the_scopes_it_needs_and_no_more(manifest):
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert scopes >= REQUIRED_BOT_SCOPES, f"missing: {sorted(REQUIRED_BOT_SCOPES - scopes)}"
    assert "chat:write.public" not in scopes
    history_scopes = {s for s in scopes if s.endswith(":history")}
    assert history_scopes == {"im:history"}, "the bot may only read its own DMs"
    assert not manifest["oauth_config"]["scopes"].get("user"), "the bot needs no user-token scopes"


def test_every_bot_scope_is_justified_by_a_comment():
    lines = MANIFEST_PATH.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "bot:")
    scope_lines = []
    for line in lines[start + 1 :]:
        if not line.strip().startswith("- "):
            break
        scope_lines.append(line)
    assert scope_lines
    unexplained = [line.strip() for line in scope_lines if not re.search(r"#\s*\S", line)]
    assert not unexplained, f"scopes without a justification comment: {unexplained}"


def test_bot_hears_home_opens_and_direct_messages(manifest):
    bot_events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert {"app_home_opened", "message.im"} <= bot_events


def test_runs_in_socket_mode_with_interactivity(manifest):
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True


def test_leavers_can_reply_in_the_messages_tab(manifest):
    app_home = manifest["features"]["app_home"]
    assert app_home["messages_tab_enabled"] is True
    assert app_home["messages_tab_read_only_enabled"] is False
    assert app_home["home_tab_enabled"] is True


def test_the_workflow_step_is_declared_as_the_bot_runs_it(validator, manifest):
    from flows import workflow_step as step

    function = manifest["functions"][step.CALLBACK_ID]
    assert function["title"] == "Start exit interview"
    parameter_schema = {**validator.schema["definitions"]["slack-functions.parameter"],
                        "definitions": validator.schema["definitions"]}
    for side, names, required in (
        # Who ran it is optional: a webhook or a schedule runs a workflow without a person.
        ("input_parameters", step.INPUTS, {step.LEAVER, step.LAST_DAY}),
        ("output_parameters", step.OUTPUTS, set(step.OUTPUTS)),
    ):
        declared = function[side]  # the schema's shape: {name: parameter}, `is_required` on each
        assert tuple(declared) == names, side
        assert {name for name, parameter in declared.items() if parameter.get("is_required")} == required, side
        for name, parameter in declared.items():
            errors = schema_errors(Draft7Validator(parameter_schema), parameter)
            assert not errors, f"{side}.{name}: {errors}"
            assert parameter["name"] == name
            assert bool(parameter.get("is_required")) == (name in required), f"{side}.{name}"
    inputs = function["input_parameters"]
    assert inputs[step.LEAVER]["type"] == "slack#/types/user_id"
    assert inputs[step.LAST_DAY]["type"] == "slack#/types/date"
    # Who ran the workflow, as Slack fills it in: a plain user id could be set to anyone by its author.
    assert inputs[step.RUN_BY]["type"] == "slack#/types/user_context"
    assert inputs[step.LANGUAGE]["enum"] == ["nl", "en"]
    assert function["output_parameters"][step.INVITATION_TIME]["type"] == "slack#/types/timestamp"


def test_the_workflow_step_reaches_the_bot(manifest):
    settings = manifest["settings"]
    assert "function_executed" in settings["event_subscriptions"]["bot_events"]
    assert settings["function_runtime"] == "remote", "the step runs in this bot, not on Slack's hosting"
    assert settings["org_deploy_enabled"] is True, "Slack offers custom steps of org-ready apps only"


def _without_app_name(document: dict[str, Any]) -> None:
    del document["display_information"]["name"]


def _with_unknown_top_level_key(document: dict[str, Any]) -> None:
    document["unknown_section"] = {"enabled": True}


def _with_bad_slash_command(document: dict[str, Any]) -> None:
    document["features"]["slash_commands"][0]["command"] = "exit-interview"


def _with_short_long_description(document: dict[str, Any]) -> None:
    document["display_information"]["long_description"] = "Too short."


def _with_an_untyped_step_input(document: dict[str, Any]) -> None:
    del document["functions"]["start_exit_interview"]["input_parameters"]["leaver"]["type"]


def _with_a_step_without_title(document: dict[str, Any]) -> None:
    del document["functions"]["start_exit_interview"]["title"]


@pytest.mark.parametrize(
    "break_manifest",
    [_without_app_name, _with_unknown_top_level_key, _with_bad_slash_command, _with_short_long_description,
     _with_an_untyped_step_input, _with_a_step_without_title],
    ids=lambda f: f.__name__.lstrip("_"),
)
def test_a_broken_manifest_is_rejected(validator, manifest, break_manifest: Callable[[dict[str, Any]], None]):
    broken = copy.deepcopy(manifest)
    break_manifest(broken)
    assert schema_errors(validator, broken), f"{break_manifest.__name__} should fail validation"
