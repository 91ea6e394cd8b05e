"""Who may read which channel: active staff, and only channels this product publishes."""

from __future__ import annotations

import re

from django_eventstream.channelmanager import DefaultChannelManager

JOBS = "jobs"
COMMAND_PREFIX = "command-"
_COMMAND_RE = re.compile(r"^command-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def command_channel(command_id) -> str:
    return f"{COMMAND_PREFIX}{command_id}"


def is_known_channel(name: str) -> bool:
    return name == JOBS or bool(_COMMAND_RE.match(name))


class StaffChannelManager(DefaultChannelManager):
    def can_read_channel(self, user, channel: str) -> bool:
        return bool(
            user is not None
            and user.is_authenticated
            and user.is_active
            and user.is_staff
            and is_known_channel(channel)
        )

    def is_channel_reliable(self, channel: str) -> bool:
        return True
