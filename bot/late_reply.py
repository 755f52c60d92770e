"""Answering a request that is finished late (the durable inbox replays it after a crash).

A response_url works for 30 minutes (and five answers); a command replayed after that would answer
into nothing, and HR would never learn whether the leaver was registered. `LateRespond` is Bolt's
`respond()` for a replayed request: through the stored response_url while it is young enough and
Slack takes it, else the same message as a DM to the person who sent the request.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.incoming import user_of

log = logging.getLogger(__name__)

# Slack keeps a response_url 30 minutes; a replay may take a moment, so stop trusting it earlier.
RESPONSE_URL_LIFETIME = timedelta(minutes=25)


class LateRespond(Respond):
    def __init__(self, *, response_url: str | None, user_id: str | None, client: WebClient, url_usable: bool):
        super().__init__(response_url=response_url)
        self.user_id = user_id
        self.client = client
        self.url_usable = url_usable

    @classmethod
    def for_replay(cls, body: dict, client: WebClient, received_at: datetime | None, now: datetime) -> LateRespond:
        body = body if isinstance(body, dict) else {}
        url = body.get("response_url")
        if not url and isinstance(body.get("response_urls"), list) and body["response_urls"]:
            url = (body["response_urls"][0] or {}).get("response_url")
        fresh = received_at is not None and now - received_at < RESPONSE_URL_LIFETIME
        return cls(response_url=url if isinstance(url, str) else None, user_id=user_of(body), client=client,
                   url_usable=fresh)

    def __call__(self, text="", blocks=None, attachments=None, response_type=None, replace_original=None,
                 delete_original=None, unfurl_links=None, unfurl_media=None, thread_ts=None, metadata=None):
        if self.response_url and self.url_usable:
            try:
                response = super().__call__(
                    text, blocks, attachments, response_type, replace_original, delete_original, unfurl_links,
                    unfurl_media, thread_ts, metadata)
                if response.status_code == 200:
                    return response
                log.info("a late answer's response_url was refused (%s); answering by DM", response.status_code)
            except Exception as error:  # unreachable: the DM below still tells the person
                log.info("a late answer's response_url failed (%s); answering by DM", type(error).__name__)
        if isinstance(text, dict):  # the whole response as one dict
            text, blocks = text.get("text", ""), text.get("blocks")
        if delete_original or not self.user_id or not (text or blocks):
            return None  # nothing to say in a DM (taking a message away needs the original)
        return self.client.chat_postMessage(channel=self.user_id, text=text or " ", blocks=blocks)
