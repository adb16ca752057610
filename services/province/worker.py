"""Worker of the province installation: the consumer of ``province.in``."""

from __future__ import annotations

import json
import os
import signal
import threading

from services.province import SERVICE
from services.province.consumer import ProvinceConsumer
from services.province.queries import register_colleges
from shared.config import ConfigError, load_settings
from shared.db import make_engine, make_session_factory, unit_of_work
from shared.observability import configure_logging


def colleges_from_environment() -> dict[str, str]:
    """``PROVINCE_COLLEGES``: ``{"lzxd": "兰州现代职业学院", …}``, campus id (= the broker
    user of its upstream) to name; refused at start-up when malformed."""
    raw = os.environ.get("PROVINCE_COLLEGES", "").strip()
    if not raw:
        return {}
    try:
        colleges = json.loads(raw)
    except ValueError as exc:
        raise ConfigError(f"PROVINCE_COLLEGES is not JSON: {exc}") from exc
    if not isinstance(colleges, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v for k, v in colleges.items()
    ):
        raise ConfigError("PROVINCE_COLLEGES must map campus ids to college names")
    return colleges


def main() -> None:
    settings = load_settings(SERVICE)
    configure_logging(settings.log_json)
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        register_colleges(session, colleges_from_environment())
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    consumer = ProvinceConsumer(factory, settings.amqp_url, delivery_limit=settings.delivery_limit)
    consumer.run(stop)
    engine.dispose()


if __name__ == "__main__":
    main()
