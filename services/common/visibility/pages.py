"""Pages that come back full though visibility filtered some of their items out.

A read path fetches its page, drops what the viewer must not see, and, while
the page is short and the list goes on, fetches the rest after the cursor it
reached: at most MAX_FETCHES times (as Bluesky re-fetches up to 10 times).
Past that the page comes back short, with its cursor: the list never ends
early, a viewer who hid a great many accounts only gets shorter pages.
"""

from collections.abc import Awaitable, Callable
from typing import TypeVar

from services.common.kernel.pagination import Page, PageRequest

MAX_FETCHES = 10
T = TypeVar("T")


async def full_page(
    fetch: Callable[[PageRequest], Awaitable[Page[T]]], page: PageRequest, shows: Callable[[T], bool], fetches: int = MAX_FETCHES
) -> Page[T]:
    """Pages from fetch, filtered by shows, until page.size items are shown or the list ends; each fetch
    asks for what is still missing, after where the last one stopped. `fetches`: fewer, for a caller
    that already made the page's first."""
    shown: list[T] = []
    cursor = page.cursor
    for _ in range(fetches):
        fetched = await fetch(PageRequest(page.size - len(shown), cursor))
        shown += [item for item in fetched.items if shows(item)]
        cursor = fetched.next_cursor
        if len(shown) >= page.size or cursor is None:
            break
    return Page(shown, cursor)
