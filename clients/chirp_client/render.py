"""How the `chirp` command shows users and tweets to a person."""

from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp.notification.v1 import notification_service_pb2 as notification_pb
from chirp.trending.v1 import trending_service_pb2 as trending_pb
from chirp.tweet.v1 import tweet_service_pb2 as tweet_pb


def user_line(user: graph_pb.User) -> str:
    badge = "  [celebrity]" if user.celebrity else ""
    return (
        f"@{user.handle} ({user.display_name})  id {user.user_id}  "
        f"{user.follower_count} followers, {user.following_count} following{badge}"
    )


def tweet_block(tweet: tweet_pb.Tweet) -> str:
    when = tweet.create_time.ToDatetime().strftime("%Y-%m-%d %H:%M:%S")
    header = f"@{tweet.author.handle} · {when} · id {tweet.tweet_id}"
    if tweet.HasField("retweeted_tweet"):
        return f"{header}  retweeted:\n" + _indent(tweet_block(tweet.retweeted_tweet))
    reply = f"  (reply to {tweet.in_reply_to_tweet_id})" if tweet.in_reply_to_tweet_id else ""
    liked = " (you liked)" if tweet.viewer_liked else ""
    counts = f"likes {tweet.like_count}{liked}  retweets {tweet.retweet_count}  replies {tweet.reply_count}"
    return f"{header}{reply}\n  {tweet.text}\n  {counts}"


def tweet_list(tweets, next_page_token: str) -> str:
    if not tweets:
        return "(no tweets)"
    blocks = "\n\n".join(tweet_block(t) for t in tweets)
    more = f"\n\nmore: --page-token {next_page_token}" if next_page_token else ""
    return blocks + more


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


def trend_list(response: trending_pb.ListTrendingHashtagsResponse, first_rank: int = 1) -> str:
    when = response.refresh_time.ToDatetime().strftime("%Y-%m-%d %H:%M:%S")
    header = f"trending over the last {response.window_minutes} minutes (ranked {when} UTC)"
    if not response.hashtags:
        return f"{header}\n  (nothing yet: a tag trends once 5 or more accounts use it, more than in the window before)"
    lines = [
        f"{rank:>3}. #{h.hashtag}  score {h.score:.1f}  {h.unique_authors} accounts (window before: {h.baseline_authors}), "
        f"{h.tweet_count} tweets"
        for rank, h in enumerate(response.hashtags, first_rank)
    ]
    more = [f"more: --page-token {response.next_page_token}"] if response.next_page_token else []
    return "\n".join([header, *lines, *more])


def notification_list(response: notification_pb.ListNotificationsResponse) -> str:
    if not response.notifications:
        return "(no notifications)"
    lines = []
    for n in response.notifications:
        when = n.update_time.ToDatetime().strftime("%Y-%m-%d %H:%M:%S")
        about = f"  (tweet {n.tweet_id})" if n.tweet_id else ""
        lines.append(f"{'*' if n.unread else ' '} {when}  {n.summary}{about}\n    read marker: {n.read_marker}")
    more = [f"more: --page-token {response.next_page_token}"] if response.next_page_token else []
    return "\n".join(lines + more)


def suggestion_list(response: graph_pb.ListSuggestionsResponse) -> str:
    if not response.suggestions:
        return "(no suggestions yet: follow a few accounts first)"
    lines = [f"{user_line(s.user)}\n    {s.reason}" for s in response.suggestions]
    age = f"ranked {response.staleness_seconds} s ago" if response.staleness_seconds else "ranked just now"
    return "\n".join([*lines, f"({age})"])
