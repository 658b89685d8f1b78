from tests.conftest import LiveMesh


async def test_a_follower_sees_a_post(live: LiveMesh):
    alice, bob = await live.register("alice"), await live.register("bob")
    await live.follow(bob, alice)
    await live.home_ids(bob)
    tweet = await live.post(alice, "hello")
    await live.settle()
    assert await live.home_ids(bob) == [tweet]
    assert tweet in await live.mesh.cache.read(bob)
