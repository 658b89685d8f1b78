"""What a home timeline shows, as the timeline sees it."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Card:
    """A hydrated tweet, ready to show. The timeline orders cards and shows each original once;
    `shown` is the tweet as the contract presents it, made by the adapter that hydrated it and
    handed unchanged to the entrypoint."""

    tweet_id: int
    original_id: int  # the retweeted tweet's id, or tweet_id
    shown: object
