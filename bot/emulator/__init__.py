"""A local stand-in for Slack: the Web API emulator and a sender of signed requests to the bot."""

from bot.emulator.api import BOT_USER_ID, TEAM_ID, SlackEmulator
from bot.emulator.client import SlackUserAgent

__all__ = ["BOT_USER_ID", "TEAM_ID", "SlackEmulator", "SlackUserAgent"]
