"""Follow graphs for loading: the reference edge-list format, or a generated power-law graph."""

import math
import random
from collections.abc import Iterator
from itertools import accumulate
from pathlib import Path


def read_edge_list(path: Path) -> tuple[int, list[tuple[int, int]]]:
    """Reads `u v` lines (0-based ids). Each line is a friendship: it becomes follows u→v and v→u,
    as the reference benchmark loads it. Returns the user count and the directed follows."""
    follows: list[tuple[int, int]] = []
    users = 0
    with path.open() as lines:
        for number, line in enumerate(lines, 1):
            parts = line.split()
            if not parts or parts[0].startswith(("%", "#")):
                continue
            if len(parts) < 2 or not (parts[0].isdigit() and parts[1].isdigit()):
                raise ValueError(f"{path}:{number}: expected two user ids, got {line.strip()!r}")
            u, v = int(parts[0]), int(parts[1])
            if u != v:
                follows += [(u, v), (v, u)]
            users = max(users, u + 1, v + 1)
    return users, follows


def power_law_follows(users: int, mean_following: int, seed: int = 7, exponent: float = 1.0) -> Iterator[tuple[int, int]]:
    """Directed follows in which popularity falls off as a power of rank (Zipf): a few accounts
    gather most followers, most have few. Each user follows about mean_following others."""
    rng = random.Random(seed)
    weights = list(accumulate(1.0 / math.pow(rank + 1, exponent) for rank in range(users)))
    for follower in range(users):
        wanted = min(users - 1, max(1, round(rng.expovariate(1.0 / mean_following))))
        followees: set[int] = set()
        while len(followees) < wanted:
            for followee in rng.choices(range(users), cum_weights=weights, k=wanted - len(followees)):
                if followee != follower:
                    followees.add(followee)
        yield from ((follower, followee) for followee in followees)


REED98_USERS, REED98_FRIENDSHIPS = 962, 18_812


def reed98_like(seed: int = 98) -> tuple[int, list[tuple[int, int]]]:
    """A stand-in for socfb-Reed98 when its file is absent: 962 users and 18,812 friendships (each
    two follows, as read_edge_list gives them), degrees drawn from a lognormal fitted to Reed98's
    (median 29, mean 39.1), paired in proportion to them (Chung-Lu). Same seed, same graph."""
    rng = random.Random(seed)
    mu, sigma = math.log(29), math.sqrt(2 * math.log(39.1 / 29))
    weights = list(accumulate(rng.lognormvariate(mu, sigma) for _ in range(REED98_USERS)))
    friendships: set[tuple[int, int]] = set()
    while len(friendships) < REED98_FRIENDSHIPS:
        u, v = rng.choices(range(REED98_USERS), cum_weights=weights, k=2)
        if u != v:
            friendships.add((min(u, v), max(u, v)))
    follows = [pair for u, v in sorted(friendships) for pair in ((u, v), (v, u))]
    return REED98_USERS, follows
