"""A template pasted in the modal: problems at the first field (and in full in the DM), or the
modal closes and the preview follows in the DM."""

from __future__ import annotations

import logging

from slack_bolt import Ack, BoltContext

from bot.blocks import template_admin as view
from bot.blocks.text import shorten
from bot.listeners.common import services_of, translator_for
from bot.operations import template_admin

log = logging.getLogger(__name__)
FIRST = "part_1"


def handle_paste_submission(ack: Ack, body: dict, context: BoltContext) -> None:
    services = services_of(context)
    user_id = body["user"]["id"]
    _ = translator_for(services, user_id)
    if not services.directory.is_hr(user_id):
        ack(response_action="errors", errors={FIRST: _("hr.only")})
        return
    source = view.pasted_source(body.get("view", {}).get("state", {}).get("values", {}))
    origin = _("tpl.origin.pasted")
    checked = template_admin.check_source(services, source, origin)
    if checked.template is None:
        if checked.problem is not None:
            ack(response_action="errors", errors={FIRST: _(checked.problem.key, **checked.problem.params)})
        else:
            ack(response_action="errors", errors={FIRST: shorten(_("tpl.refused.short", count=len(checked.issues),
                                                                   first=checked.issues[0]), 500)})
        template_admin.refuse(services, user_id, origin, checked)
        return
    ack(response_action="clear")
    template_admin.preview(services, user_id, source, checked.template)
