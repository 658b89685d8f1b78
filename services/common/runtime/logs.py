"""Logging set up once for every process."""

import logging


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("pika").setLevel(max(logging.WARNING, logging.getLevelName(level)))  # pika logs every connect step
