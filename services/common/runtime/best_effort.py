"""Calls whose failure must not undo what already committed: logged, not raised."""

import logging
from collections.abc import Awaitable

log = logging.getLogger("chirp.best_effort")


async def best_effort(call: Awaitable[None], what: str) -> None:
    try:
        await call
    except Exception as error:
        log.warning("could not %s (%r); what it keeps catches up as it expires", what, error)
