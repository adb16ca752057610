"""The installation's province link, from its settings: who the campus is, whether it
publishes, and the broker user it publishes as (its AMQP URL's user, which RabbitMQ's
validated ``user_id`` must equal)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from shared.config import ConfigError, Settings
from shared.installation import UNNAMED

TRUE = ("1", "true", "yes", "on")


@dataclass(frozen=True)
class ProvinceLink:
    campus_id: str
    amqp_url: str  # the campus's own vhost, as the campus's broker user

    @property
    def user(self) -> str:
        return unquote(urlsplit(self.amqp_url).username or "guest")


def province_link(settings: Settings) -> ProvinceLink | None:
    """The link when CAMPUS_PROVINCE_PUBLISH is on (CAMPUS_ID required then), else None:
    a campus without a province link writes and publishes nothing."""
    env, extra = os.environ, settings.extra  # a test app's overrides land in ``extra``
    publish = str(extra.get("province_publish", env.get("CAMPUS_PROVINCE_PUBLISH", "")))
    if publish.strip().lower() not in TRUE:
        return None
    campus_id = settings.campus_id  # CAMPUS_ID, checked at start-up (shared.installation)
    if campus_id == UNNAMED:
        raise ConfigError(
            "CAMPUS_PROVINCE_PUBLISH needs CAMPUS_ID: lowercase letters, digits and -, "
            "2–32 characters, the broker user the college publishes to the province as"
        )
    url = extra.get("province_amqp_url", env.get("CAMPUS_PROVINCE_AMQP_URL", ""))
    url = url or settings.amqp_url
    link = ProvinceLink(campus_id, str(url))
    if link.user != campus_id:
        raise ConfigError(
            f"CAMPUS_PROVINCE_AMQP_URL must connect as the broker user {campus_id!r} "
            f"(CAMPUS_ID): the province accepts a college's messages only from its own user"
        )
    return link
