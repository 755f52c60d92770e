"""HR's settings modal, reading its submission, and the confirmation of what changed."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ContextBlock,
    ConversationFilter,
    ConversationMultiSelectElement,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
    TimePickerElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks.text import dicts, escape, mention
from bot.config import Settings
from bot.hr_settings import (
    BOOLEAN,
    CHANNEL,
    FIELDS,
    INTEGER,
    LANGUAGE,
    SCHEDULE,
    USERGROUP,
    USERS,
    Change,
    Field,
    PastChange,
    limits,
)
from bot.i18n import LANGUAGES, Translator
from flows import schedule

SETTINGS_CALLBACK = "settings_modal"
FIELD = "value"  # the action_id of every input
# Section headings, each before the first field of its group.
GROUPS = {
    "hr_user_ids": "settings.group.hr",
    "hr_channel_id": "settings.group.channels",
    "default_language": "settings.group.invitations",
    "digest_schedule": "settings.group.digest",
    "retention_months": "settings.group.privacy",
}


# The digest schedule is one setting in two fields: the day of the month and the time.
DAY_BLOCK, TIME_BLOCK = "digest_day", "digest_time"
# Where a setting's error is shown, when its field has another block id.
ERROR_BLOCK = {"digest_schedule": DAY_BLOCK}
# Offered as choices rather than typed: the minimum group (a word on why in its hint) and the days
# before the reminder. A value set in the environment outside these is offered too.
CHOICES = {
    "digest_min_interviews": (3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 25, 30, 40, 50),
    "reminder_working_days": tuple(range(1, 11)),
}


def settings_modal(_: Translator, settings: Settings, recent: list[PastChange]) -> dict:
    blocks: list = [SectionBlock(text=MarkdownTextObject(text=_("settings.modal.intro")))]
    for setting in FIELDS:
        if setting.key in GROUPS:
            blocks.append(SectionBlock(text=MarkdownTextObject(text=f"*{_(GROUPS[setting.key])}*")))
        if setting.kind == SCHEDULE:
            blocks += _schedule_inputs(_, settings.digest_schedule, settings.timezone)
        else:
            blocks.append(_input(_, setting, getattr(settings, setting.key)))
    if recent:
        lines = [_("settings.modal.changed", setting=_(f"settings.field.{c.key}"), user=mention(c.by),
                   moment=_.moment(c.at.astimezone(settings.tz))) for c in recent]
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text="\n".join(lines))]))
    return View(
        type="modal",
        callback_id=SETTINGS_CALLBACK,
        title=_("settings.modal.title"),
        submit=_("settings.modal.submit"),
        close=_("settings.modal.close"),
        blocks=blocks,
    ).to_dict()


def day_text(_: Translator, day: str) -> str:
    """'the first working day of the month', 'the first Monday of the month', ..."""
    if day == schedule.FIRST_WORKING_DAY:
        return _("settings.day.first_working_day")
    ordinal, weekday = day.split("-")
    return _("settings.day.weekday", ordinal=_(f"settings.ordinal.{ordinal}"), weekday=_(f"settings.weekday.{weekday}"))


def schedule_text(_: Translator, value: str) -> str:
    """A digest schedule in words; a crontab line an administrator set is shown as it is."""
    words = schedule.parse(value)
    if words is None:
        return _("settings.schedule.custom", schedule=f"`{escape(value)}`")
    return _("settings.schedule.words", day=day_text(_, words.day), time=f"{words.at:%H:%M}")


def _schedule_inputs(_: Translator, value: str, timezone: str) -> list:
    words = schedule.parse(value)
    options = [Option(value=day, text=day_text(_, day)) for day in schedule.DAYS]
    chosen = next((o for o in options if words is not None and o.value == words.day), None)
    at = words.at if words is not None else schedule.DEFAULT_TIME
    # A crontab line from the environment or an older version keeps running until HR picks a day.
    hint = _("settings.hint.digest_day") if words is not None else _("settings.hint.digest_day_custom",
                                                                           schedule=value)
    return [
        InputBlock(block_id=DAY_BLOCK, label=_("settings.field.digest_day"), hint=hint, optional=words is None,
                   element=StaticSelectElement(action_id=FIELD, options=options, initial_option=chosen,
                                               placeholder=_("settings.placeholder.digest_day"))),
        InputBlock(block_id=TIME_BLOCK, label=_("settings.field.digest_time"),
                   hint=_("settings.hint.digest_time", zone=timezone),
                   element=TimePickerElement(action_id=FIELD, initial_time=f"{at:%H:%M}", timezone=timezone)),
    ]


def _input(_: Translator, setting: Field, value) -> InputBlock:
    label, key = _(f"settings.field.{setting.key}"), setting.key
    bounds = limits(setting)
    hint = _(f"settings.hint.{key}", low=bounds[0], high=bounds[1]) if bounds else _(f"settings.hint.{key}")
    if key in CHOICES:
        hint = _(f"settings.why.{key}")
    optional = setting.kind in (USERS, USERGROUP, CHANNEL)
    if setting.kind == USERS:
        element = UserMultiSelectElement(action_id=FIELD, placeholder=_("settings.placeholder.people"),
                                         **({"initial_users": sorted(value)} if value else {}))
    elif setting.kind == CHANNEL:
        # A multi-select of at most one: unlike a single select, it can be emptied again.
        element = ConversationMultiSelectElement(
            action_id=FIELD, placeholder=_("settings.placeholder.channel"), max_selected_items=1,
            filter=ConversationFilter(include=["public", "private"], exclude_bot_users=True,
                                      exclude_external_shared_channels=True),
            **({"initial_conversations": [value]} if value else {}),
        )
    elif setting.kind == LANGUAGE:
        options = [Option(value=code, text=_(f"language.{code}")) for code in LANGUAGES]
        element = StaticSelectElement(action_id=FIELD, options=options,
                                      initial_option=options[LANGUAGES.index(value)] if value in LANGUAGES else None)
    elif setting.kind == BOOLEAN:
        options = [Option(value="true", text=_("settings.value.on")),
                   Option(value="false", text=_("settings.value.off"))]
        element = RadioButtonsElement(action_id=FIELD, options=options, initial_option=options[0 if value else 1])
    elif key in CHOICES:
        numbers = sorted({*CHOICES[key], value})
        options = [Option(value=str(n), text=_(f"settings.choice.{key}", count=n)) for n in numbers]
        element = StaticSelectElement(action_id=FIELD, options=options,
                                      initial_option=options[numbers.index(value)])
    elif setting.kind == INTEGER:
        element = NumberInputElement(action_id=FIELD, is_decimal_allowed=False, initial_value=str(value),
                                     **({"min_value": str(bounds[0]), "max_value": str(bounds[1])} if bounds else {}))
    else:  # USERGROUP: typed
        element = PlainTextInputElement(action_id=FIELD, initial_value=value or None, max_length=100,
                                        placeholder=_(f"settings.placeholder.{setting.kind}"))
    return InputBlock(block_id=key, label=label, hint=hint, optional=optional, element=element)


def form_values(values: dict) -> dict[str, str]:
    """The submitted modal as text per setting (what the environment would hold); fields that are
    missing or of an unexpected shape are left out, so they stay as they are."""
    form: dict[str, str] = {}
    for setting in FIELDS:
        if setting.kind == SCHEDULE:
            form.update(_schedule_value(values))
            continue
        state = (values.get(setting.key) or {}).get(FIELD)
        if not isinstance(state, dict):
            continue
        kind = state.get("type")
        if kind == "multi_users_select":
            form[setting.key] = ",".join(_strings(state.get("selected_users")))
        elif kind == "multi_conversations_select":
            form[setting.key] = ",".join(_strings(state.get("selected_conversations")))
        elif kind in ("static_select", "radio_buttons"):
            option = state.get("selected_option")
            form[setting.key] = str(option.get("value") or "") if isinstance(option, dict) else ""
        elif isinstance(state.get("value"), str | int) or state.get("value") is None:
            form[setting.key] = str(state.get("value") if state.get("value") is not None else "")
    return form


def error_block(key: str, values: dict) -> str:
    """The block a setting's error is shown at: the schedule's time field when the day is fine
    but the time is not (Slack's timepicker always sends one; a forged or stale form may not)."""
    if key == "digest_schedule":
        at = (values.get(TIME_BLOCK) or {}).get(FIELD)
        picked = at.get("selected_time") if isinstance(at, dict) else None
        day = (values.get(DAY_BLOCK) or {}).get(FIELD)
        chosen = day.get("selected_option") if isinstance(day, dict) else None
        if isinstance(chosen, dict) and chosen.get("value") in schedule.DAYS and schedule.parse_time(picked) is None:
            return TIME_BLOCK
    return ERROR_BLOCK.get(key, key)


def _schedule_value(values: dict) -> dict[str, str]:
    """The day and the time as one schedule ("first-monday 09:00"); empty when no day is chosen
    (which keeps a custom schedule set on the server: bot.operations.settings.save)."""
    day = (values.get(DAY_BLOCK) or {}).get(FIELD)
    at = (values.get(TIME_BLOCK) or {}).get(FIELD)
    if not isinstance(day, dict):
        return {}
    option = day.get("selected_option")
    chosen = str(option.get("value") or "") if isinstance(option, dict) else ""
    if not chosen:
        return {"digest_schedule": ""}
    picked = at.get("selected_time") if isinstance(at, dict) else None
    return {"digest_schedule": f"{chosen} {picked if isinstance(picked, str) else ''}".strip()}


def _strings(values) -> list[str]:
    return [v for v in values if isinstance(v, str)] if isinstance(values, list) else []


def show(_: Translator, setting: Field, value) -> str:
    """A setting's value in a message, safe as mrkdwn (nothing in it can ping a group)."""
    if value is None or value == frozenset():
        return _("settings.value.none")
    if setting.kind == USERS:
        return ", ".join(mention(v) for v in sorted(value))
    if setting.kind == CHANNEL:
        return f"<#{value}>" if str(value).isalnum() else escape(str(value))
    if setting.kind == LANGUAGE:
        return _(f"language.{value}") if value in LANGUAGES else escape(str(value))
    if setting.kind == BOOLEAN:
        return _("settings.value.on") if value else _("settings.value.off")
    if setting.kind == SCHEDULE:
        return schedule_text(_, str(value))
    if setting.kind == USERGROUP:
        return f"`{escape(str(value))}`"
    return escape(str(value))


def saved_message(_: Translator, changes: list[Change], next_digest: str | None) -> tuple[str, list[dict]]:
    from bot.hr_settings import BY_KEY

    if not changes:
        text = _("settings.saved.nothing")
        return text, dicts([SectionBlock(text=MarkdownTextObject(text=text))])
    lines = [_("settings.saved.line", setting=_(f"settings.field.{c.key}"), old=show(_, BY_KEY[c.key], c.old),
               new=show(_, BY_KEY[c.key], c.new)) for c in changes]
    if next_digest and any(c.key == "digest_schedule" for c in changes):
        lines.append(_("settings.saved.next_digest", moment=next_digest))
    text = _("settings.saved.header") + "\n" + "\n".join(lines)
    blocks = [SectionBlock(text=MarkdownTextObject(text=text[:2900])),
              ContextBlock(elements=[MarkdownTextObject(text=_("settings.saved.audit"))])]
    return _("settings.saved.header"), dicts(blocks)
