"""Mentions in a tweet's text: `@handle` not inside a word or an e-mail address, case-folded, each once.

Search indexes them and Notification tells the mentioned accounts.
"""

import re

from services.common.kernel.events import TweetCreated

_MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_]{1,15})(?![A-Za-z0-9_])")


def mentions_in(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(handle.casefold() for handle in _MENTION.findall(text)))


def addresses_anyone(tweet: TweetCreated) -> bool:
    """Whether a post concerns another account: a reply, a retweet or a mention (the others notify nobody)."""
    return bool(tweet.in_reply_to_tweet_id or tweet.retweet_of_tweet_id or mentions_in(tweet.text))
