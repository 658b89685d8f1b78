"""What the warm page scripts (a home page, an author's page) share: reading a list of ids, which cards show,
and turning a script's reply into cards. Each script names its own KEYS and ARGV, and declares, as locals
before these parts, `top` (the packed id above the page, '' for the first), `window` (ids a list gives),
`kept` (ids an author's list holds at most) and CARDS (the card key prefix)."""

import logging

from services.common.kernel.ids import wall_clock_ms
from services.common.kernel.pagination import Page
from services.common.storage.redis_multiplexed import ReplyError, Script
from services.timeline.adapters import redis_layout as layout
from services.timeline.domain import Card
from services.timeline.read_model import LEAVING_SECONDS

# lane(list, bounded): the list's ids below `top`, at most `window`; nil when the list is missing or
# being built, or (bounded: an author's list, trimmed to `kept`) when it ends above the page.
# leaving_since(key, ms): the set of packed ids of accounts deleted since then.
# shown(id, card, leaving): neither a tombstone, nor by an account leaving, nor a retweet of a tombstone.
# state_of(kept, born, id): the viewer's state as read_model.viewer_state gives it ('\\0' on a tweet above born
# that the states lack; nil when not known).
LUA_PARTS = layout.LUA_KEY + layout.LUA_LISTS + """
local function lane(list, bounded)
  local ids = ids_below(list, top, window)
  if ids and bounded and #ids < window and redis.call('LLEN', list) > kept then return nil end
  return ids
end
local function leaving_since(list, since)
  local leaving = {}
  for _, user in ipairs(redis.call('ZRANGEBYSCORE', list, since, '+inf')) do leaving[user] = true end
  return leaving
end
local function state_of(kept, born, id)
  if kept then return kept end
  if born and older(born, id) then return '\\0' end
  return nil
end
local function shown(id, card, leaving)
  local original = string.sub(card, 1, 8)
  return card ~= '' and not leaving[string.sub(card, 9, 16)] and not leaving[string.sub(card, 17, 24)]
    and (original == id or redis.call('GET', key(CARDS, original)) ~= '')
end
"""


log = logging.getLogger("chirp.timeline.redis")


async def run_page(script: Script, keys: list, args: list, what: str) -> Page[Card] | None:
    """The page a script answers; None when it lacks something, or when the server can't run it now."""
    reply = await call_page_script(script, keys, args, what)
    return None if reply is None else Page(*page_of(reply))


async def call_page_script(script: Script, keys: list, args: list, what: str):
    """The script's reply; None when it lacks something, or when the server can't run it now (loading, busy,
    read-only), since the other way can."""
    try:
        reply = await script(keys, args)
    except ReplyError as error:
        log.warning("the warm %s script failed (%s); reading the other way", what, error)
        return None
    return reply


def top_of(cursor: int | None) -> bytes:
    """The bound above a page, as the scripts take it: the packed cursor, or nothing for the first page."""
    return layout.pack_id(cursor) if cursor is not None else b""


def leaving_since_ms() -> int:
    return wall_clock_ms() - LEAVING_SECONDS * 1000


def page_of(reply: list) -> tuple[list[Card], int | None]:
    """A page script's reply, {next cursor (packed; '' at the end), then id, card, viewer state for each card shown}."""
    cards = [_card(reply[n], reply[n + 1], reply[n + 2]) for n in range(1, len(reply), 3)]
    return cards, layout.unpack_id(reply[0]) if reply[0] else None


def _card(packed_id: bytes, value: bytes, state: bytes) -> Card:
    original_id, authors, shown = layout.unpack_card(value)
    return Card(layout.unpack_id(packed_id), original_id, authors, shown, state[0])
