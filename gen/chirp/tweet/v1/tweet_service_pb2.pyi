import datetime

from chirp.graph.v1 import graph_service_pb2 as _graph_service_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Tweet(_message.Message):
    __slots__ = ("tweet_id", "author", "text", "create_time", "in_reply_to_tweet_id", "retweeted_tweet", "like_count", "retweet_count", "reply_count", "viewer_liked", "viewer_retweeted")
    TWEET_ID_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    IN_REPLY_TO_TWEET_ID_FIELD_NUMBER: _ClassVar[int]
    RETWEETED_TWEET_FIELD_NUMBER: _ClassVar[int]
    LIKE_COUNT_FIELD_NUMBER: _ClassVar[int]
    RETWEET_COUNT_FIELD_NUMBER: _ClassVar[int]
    REPLY_COUNT_FIELD_NUMBER: _ClassVar[int]
    VIEWER_LIKED_FIELD_NUMBER: _ClassVar[int]
    VIEWER_RETWEETED_FIELD_NUMBER: _ClassVar[int]
    tweet_id: int
    author: _graph_service_pb2.User
    text: str
    create_time: _timestamp_pb2.Timestamp
    in_reply_to_tweet_id: int
    retweeted_tweet: Tweet
    like_count: int
    retweet_count: int
    reply_count: int
    viewer_liked: bool
    viewer_retweeted: bool
    def __init__(self, tweet_id: _Optional[int] = ..., author: _Optional[_Union[_graph_service_pb2.User, _Mapping]] = ..., text: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., in_reply_to_tweet_id: _Optional[int] = ..., retweeted_tweet: _Optional[_Union[Tweet, _Mapping]] = ..., like_count: _Optional[int] = ..., retweet_count: _Optional[int] = ..., reply_count: _Optional[int] = ..., viewer_liked: _Optional[bool] = ..., viewer_retweeted: _Optional[bool] = ...) -> None: ...

class CreateTweetRequest(_message.Message):
    __slots__ = ("text", "in_reply_to_tweet_id")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    IN_REPLY_TO_TWEET_ID_FIELD_NUMBER: _ClassVar[int]
    text: str
    in_reply_to_tweet_id: int
    def __init__(self, text: _Optional[str] = ..., in_reply_to_tweet_id: _Optional[int] = ...) -> None: ...

class CreateTweetResponse(_message.Message):
    __slots__ = ("tweet",)
    TWEET_FIELD_NUMBER: _ClassVar[int]
    tweet: Tweet
    def __init__(self, tweet: _Optional[_Union[Tweet, _Mapping]] = ...) -> None: ...

class GetTweetRequest(_message.Message):
    __slots__ = ("tweet_id",)
    TWEET_ID_FIELD_NUMBER: _ClassVar[int]
    tweet_id: int
    def __init__(self, tweet_id: _Optional[int] = ...) -> None: ...

class GetTweetResponse(_message.Message):
    __slots__ = ("tweet",)
    TWEET_FIELD_NUMBER: _ClassVar[int]
    tweet: Tweet
    def __init__(self, tweet: _Optional[_Union[Tweet, _Mapping]] = ...) -> None: ...

class BatchGetTweetsRequest(_message.Message):
    __slots__ = ("tweet_ids",)
    TWEET_IDS_FIELD_NUMBER: _ClassVar[int]
    tweet_ids: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, tweet_ids: _Optional[_Iterable[int]] = ...) -> None: ...

class BatchGetTweetsResponse(_message.Message):
    __slots__ = ("tweets",)
    TWEETS_FIELD_NUMBER: _ClassVar[int]
    tweets: _containers.RepeatedCompositeFieldContainer[Tweet]
    def __init__(self, tweets: _Optional[_Iterable[_Union[Tweet, _Mapping]]] = ...) -> None: ...

class DeleteTweetRequest(_message.Message):
    __slots__ = ("tweet_id",)
    TWEET_ID_FIELD_NUMBER: _ClassVar[int]
    tweet_id: int
    def __init__(self, tweet_id: _Optional[int] = ...) -> None: ...

class DeleteTweetResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListUserTweetsRequest(_message.Message):
    __slots__ = ("user_id", "page_size", "page_token")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    page_size: int
    page_token: str
    def __init__(self, user_id: _Optional[int] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListUserTweetsResponse(_message.Message):
    __slots__ = ("tweets", "next_page_token")
    TWEETS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    tweets: _containers.RepeatedCompositeFieldContainer[Tweet]
    next_page_token: str
    def __init__(self, tweets: _Optional[_Iterable[_Union[Tweet, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListRepliesRequest(_message.Message):
    __slots__ = ("tweet_id", "page_size", "page_token")
    TWEET_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    tweet_id: int
    page_size: int
    page_token: str
    def __init__(self, tweet_id: _Optional[int] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListRepliesResponse(_message.Message):
    __slots__ = ("tweets", "next_page_token")
    TWEETS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    tweets: _containers.RepeatedCompositeFieldContainer[Tweet]
    next_page_token: str
    def __init__(self, tweets: _Optional[_Iterable[_Union[Tweet, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class LikeTweetRequest(_message.Message):
    __slots__ = ("tweet_id",)
    TWEET_ID_FIELD_NUMBER: _ClassVar[int]
    tweet_id: int
    def __init__(self, tweet_id: _Optional[int] = ...) -> None: ...

class LikeTweetResponse(_message.Message):
    __slots__ = ("tweet",)
    TWEET_FIELD_NUMBER: _ClassVar[int]
    tweet: Tweet
    def __init__(self, tweet: _Optional[_Union[Tweet, _Mapping]] = ...) -> None: ...

class UnlikeTweetRequest(_message.Message):
    __slots__ = ("tweet_id",)
    TWEET_ID_FIELD_NUMBER: _ClassVar[int]
    tweet_id: int
    def __init__(self, tweet_id: _Optional[int] = ...) -> None: ...

class UnlikeTweetResponse(_message.Message):
    __slots__ = ("tweet",)
    TWEET_FIELD_NUMBER: _ClassVar[int]
    tweet: Tweet
    def __init__(self, tweet: _Optional[_Union[Tweet, _Mapping]] = ...) -> None: ...

class RetweetRequest(_message.Message):
    __slots__ = ("tweet_id",)
    TWEET_ID_FIELD_NUMBER: _ClassVar[int]
    tweet_id: int
    def __init__(self, tweet_id: _Optional[int] = ...) -> None: ...

class RetweetResponse(_message.Message):
    __slots__ = ("tweet",)
    TWEET_FIELD_NUMBER: _ClassVar[int]
    tweet: Tweet
    def __init__(self, tweet: _Optional[_Union[Tweet, _Mapping]] = ...) -> None: ...

class UndoRetweetRequest(_message.Message):
    __slots__ = ("tweet_id",)
    TWEET_ID_FIELD_NUMBER: _ClassVar[int]
    tweet_id: int
    def __init__(self, tweet_id: _Optional[int] = ...) -> None: ...

class UndoRetweetResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListRecentTweetIdsRequest(_message.Message):
    __slots__ = ("author_ids", "before_tweet_id", "limit", "include_deleted")
    AUTHOR_IDS_FIELD_NUMBER: _ClassVar[int]
    BEFORE_TWEET_ID_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_DELETED_FIELD_NUMBER: _ClassVar[int]
    author_ids: _containers.RepeatedScalarFieldContainer[int]
    before_tweet_id: int
    limit: int
    include_deleted: bool
    def __init__(self, author_ids: _Optional[_Iterable[int]] = ..., before_tweet_id: _Optional[int] = ..., limit: _Optional[int] = ..., include_deleted: _Optional[bool] = ...) -> None: ...

class ListRecentTweetIdsResponse(_message.Message):
    __slots__ = ("tweet_ids",)
    TWEET_IDS_FIELD_NUMBER: _ClassVar[int]
    tweet_ids: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, tweet_ids: _Optional[_Iterable[int]] = ...) -> None: ...

class ScanTweetsRequest(_message.Message):
    __slots__ = ("after_tweet_id", "limit")
    AFTER_TWEET_ID_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    after_tweet_id: int
    limit: int
    def __init__(self, after_tweet_id: _Optional[int] = ..., limit: _Optional[int] = ...) -> None: ...

class ScanTweetsResponse(_message.Message):
    __slots__ = ("tweets",)
    TWEETS_FIELD_NUMBER: _ClassVar[int]
    tweets: _containers.RepeatedCompositeFieldContainer[ScannedTweet]
    def __init__(self, tweets: _Optional[_Iterable[_Union[ScannedTweet, _Mapping]]] = ...) -> None: ...

class ScannedTweet(_message.Message):
    __slots__ = ("tweet_id", "author_id", "text")
    TWEET_ID_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    tweet_id: int
    author_id: int
    text: str
    def __init__(self, tweet_id: _Optional[int] = ..., author_id: _Optional[int] = ..., text: _Optional[str] = ...) -> None: ...
