"""The `chirp` commands of the services built from events: the home timeline, fan-out, search, trends, notifications."""

from chirp.fanout.v1 import fanout_service_pb2 as fanout_pb
from chirp.search.v1 import search_service_pb2 as search_pb
from chirp.timeline.v1 import timeline_service_pb2 as timeline_pb
from chirp_client import render
from chirp_client.session import Session


def home(s: Session, a) -> str:
    request = timeline_pb.ListHomeTimelineRequest(page_size=a.limit, page_token=a.page_token)
    page = s.client.timeline.ListHomeTimeline(request, metadata=s.me())
    return render.tweet_list(page.tweets, page.next_page_token)


def fanout_status(s: Session, a) -> str:
    status = s.client.fanout.GetFanoutStatus(fanout_pb.GetFanoutStatusRequest())
    lag = status.oldest_pending_age.ToMilliseconds()
    return (
        f"queue depth {status.queue_depth}, oldest pending {lag} ms, events processed {status.events_processed}, "
        f"timeline writes {status.timeline_writes}, celebrity tweets not pushed {status.celebrity_tweets_skipped}, "
        f"dead letters {status.dead_letters}"
    )


def search(s: Session, a) -> str:
    order = search_pb.SEARCH_ORDER_RELEVANCE if a.relevance else search_pb.SEARCH_ORDER_RECENCY
    request = search_pb.SearchTweetsRequest(query=a.query, page_size=a.limit, page_token=a.page_token, order=order)
    page = s.client.search.SearchTweets(request, metadata=s.optional_me())
    return render.tweet_list(page.tweets, page.next_page_token)


def search_status(s: Session, a) -> str:
    status = s.client.search.GetSearchStatus(search_pb.GetSearchStatusRequest())
    state = search_pb.SearchIndexState.Name(status.state).removeprefix("SEARCH_INDEX_STATE_").lower().replace("_", " ")
    return f"{state}: {status.indexed_tweets} tweets indexed, {status.rebuild_scanned} read by the last rebuild, dead letters {status.dead_letters}"


def trends(s: Session, a) -> str:
    return render.trend_list(s.client.trends(a.window, a.limit, a.page_token))


def notifications(s: Session, a) -> str:
    if a.action == "unread":
        return f"{s.client.unread_count(metadata=s.me()).unread_count} unread"
    if a.action == "read":
        return f"marked read; {s.client.mark_read(a.marker, metadata=s.me()).unread_count} unread"
    return render.notification_list(s.client.notifications(a.limit, a.page_token, metadata=s.me()))
