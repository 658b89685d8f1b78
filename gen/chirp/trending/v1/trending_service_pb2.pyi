import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TrendingHashtag(_message.Message):
    __slots__ = ("hashtag", "tweet_count", "score", "unique_authors", "baseline_authors")
    HASHTAG_FIELD_NUMBER: _ClassVar[int]
    TWEET_COUNT_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    UNIQUE_AUTHORS_FIELD_NUMBER: _ClassVar[int]
    BASELINE_AUTHORS_FIELD_NUMBER: _ClassVar[int]
    hashtag: str
    tweet_count: int
    score: float
    unique_authors: int
    baseline_authors: int
    def __init__(self, hashtag: _Optional[str] = ..., tweet_count: _Optional[int] = ..., score: _Optional[float] = ..., unique_authors: _Optional[int] = ..., baseline_authors: _Optional[int] = ...) -> None: ...

class ListTrendingHashtagsRequest(_message.Message):
    __slots__ = ("window_minutes", "page_size", "page_token")
    WINDOW_MINUTES_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    window_minutes: int
    page_size: int
    page_token: str
    def __init__(self, window_minutes: _Optional[int] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListTrendingHashtagsResponse(_message.Message):
    __slots__ = ("hashtags", "next_page_token", "refresh_time", "window_minutes")
    HASHTAGS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    REFRESH_TIME_FIELD_NUMBER: _ClassVar[int]
    WINDOW_MINUTES_FIELD_NUMBER: _ClassVar[int]
    hashtags: _containers.RepeatedCompositeFieldContainer[TrendingHashtag]
    next_page_token: str
    refresh_time: _timestamp_pb2.Timestamp
    window_minutes: int
    def __init__(self, hashtags: _Optional[_Iterable[_Union[TrendingHashtag, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., refresh_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., window_minutes: _Optional[int] = ...) -> None: ...
