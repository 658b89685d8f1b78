"""An author's head (`chirp:head`) is raised before any id goes into their recent list, never lowered, and lapses as the list does."""

from redis.asyncio import Redis

from services.timeline.adapters import redis_layout as layout
from services.timeline.adapters.redis_author_posts import RedisAuthorPosts
from services.timeline.adapters.redis_cache import RedisTimelineCache
from tests.integration.servers import REDIS_URL

AUTHOR = 42


async def head(redis: Redis) -> int | None:
    value = await redis.get(layout.head_key(AUTHOR))
    return None if value is None else layout.unpack_ids([value])[0]


async def test_the_head_rises_with_the_newest_id_and_never_falls():
    redis = Redis.from_url(REDIS_URL)
    await redis.delete(layout.posts_key(AUTHOR), layout.head_key(AUTHOR))
    posts = RedisAuthorPosts(redis, RedisTimelineCache(redis, 100, 600, key=layout.posts_key), 600)
    try:
        await posts.add([AUTHOR], [300])  # no list yet: nothing kept, but the head rises all the same
        assert await posts.read(AUTHOR) is None and await head(redis) == 300
        await posts.start(AUTHOR)
        await posts.add([AUTHOR], [100, 200])  # a build from storage, below the head
        await posts.complete(AUTHOR)
        assert await posts.read(AUTHOR) == [200, 100] and await head(redis) == 300
        await posts.add([AUTHOR], [400])
        assert await posts.read(AUTHOR) == [400, 200, 100] and await head(redis) == 400
        await posts.remove([AUTHOR], [400])  # a deleted tweet leaves the head above the list: harmless
        assert await posts.read(AUTHOR) == [200, 100] and await head(redis) == 400
        assert 0 < await redis.ttl(layout.head_key(AUTHOR)) <= 600
    finally:
        await redis.delete(layout.posts_key(AUTHOR), layout.head_key(AUTHOR))
        await redis.aclose()
