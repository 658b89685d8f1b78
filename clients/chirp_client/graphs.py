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
