"""Generated tweets for the search benchmark: Zipf-distributed words, some hashtags and mentions.

Words are drawn from a vocabulary of VOCABULARY made-up words whose
frequencies fall off as 1/rank, as words of a language do; ids are
Snowflake ids spread over the last 30 days, oldest first.
"""

import numpy

from services.common.kernel.ids import compose, wall_clock_ms

VOCABULARY = 50_000
WORDS_PER_TWEET = (6, 24)
SPAN_MS = 30 * 86_400_000


def word(rank: int) -> str:
    """The made-up word of a rank: letters only, so the stemmer leaves most of them whole."""
    letters, rank = [], rank + 1
    while rank:
        rank, digit = divmod(rank, 26)
        letters.append(chr(97 + digit))
    return "w" + "".join(letters)


class Corpus:
    def __init__(self, total: int, seed: int = 7):
        self.total, self._rng = total, numpy.random.default_rng(seed)
        weights = 1.0 / numpy.arange(1, VOCABULARY + 1)
        self._cumulative = numpy.cumsum(weights) / weights.sum()
        self.words = [word(r) for r in range(VOCABULARY)]
        self._start_ms = wall_clock_ms() - SPAN_MS

    def ranks(self, count: int) -> numpy.ndarray:
        return numpy.searchsorted(self._cumulative, self._rng.random(count))

    def chunk(self, first: int, count: int) -> list[tuple[int, int, str]]:
        """(tweet id, author id, text) of tweets first .. first + count - 1."""
        lengths = self._rng.integers(*WORDS_PER_TWEET, size=count)
        ranks, extras = self.ranks(int(lengths.sum())), self._rng.random(count)
        tweets, at = [], 0
        for n in range(count):
            text = " ".join(self.words[r] for r in ranks[at : at + lengths[n]])
            at += lengths[n]
            if extras[n] < 0.15:
                text += f" #{self.words[ranks[at - 1] % 500]}"
            elif extras[n] < 0.25:
                text += f" @user{n % 1000}"
            tweets.append((self._tweet_id(first + n), (first + n) % 100_000 + 1, text))
        return tweets

    def _tweet_id(self, n: int) -> int:
        return compose(self._start_ms + n * SPAN_MS // self.total, 0, n % 4096)
