from chirp.tweet.v1 import tweet_service_pb2 as _tweet_service_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SearchOrder(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SEARCH_ORDER_UNSPECIFIED: _ClassVar[SearchOrder]
    SEARCH_ORDER_RECENCY: _ClassVar[SearchOrder]
    SEARCH_ORDER_RELEVANCE: _ClassVar[SearchOrder]

class SearchIndexState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SEARCH_INDEX_STATE_UNSPECIFIED: _ClassVar[SearchIndexState]
    SEARCH_INDEX_STATE_READY: _ClassVar[SearchIndexState]
    SEARCH_INDEX_STATE_CATCHING_UP: _ClassVar[SearchIndexState]
SEARCH_ORDER_UNSPECIFIED: SearchOrder
SEARCH_ORDER_RECENCY: SearchOrder
SEARCH_ORDER_RELEVANCE: SearchOrder
SEARCH_INDEX_STATE_UNSPECIFIED: SearchIndexState
SEARCH_INDEX_STATE_READY: SearchIndexState
SEARCH_INDEX_STATE_CATCHING_UP: SearchIndexState

class SearchTweetsRequest(_message.Message):
    __slots__ = ("query", "page_size", "page_token", "order")
    QUERY_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ORDER_FIELD_NUMBER: _ClassVar[int]
    query: str
    page_size: int
    page_token: str
    order: SearchOrder
    def __init__(self, query: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., order: _Optional[_Union[SearchOrder, str]] = ...) -> None: ...

class SearchTweetsResponse(_message.Message):
    __slots__ = ("tweets", "next_page_token")
    TWEETS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    tweets: _containers.RepeatedCompositeFieldContainer[_tweet_service_pb2.Tweet]
    next_page_token: str
    def __init__(self, tweets: _Optional[_Iterable[_Union[_tweet_service_pb2.Tweet, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetSearchStatusRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetSearchStatusResponse(_message.Message):
    __slots__ = ("state", "indexed_tweets", "rebuild_scanned", "dead_letters")
    STATE_FIELD_NUMBER: _ClassVar[int]
    INDEXED_TWEETS_FIELD_NUMBER: _ClassVar[int]
    REBUILD_SCANNED_FIELD_NUMBER: _ClassVar[int]
    DEAD_LETTERS_FIELD_NUMBER: _ClassVar[int]
    state: SearchIndexState
    indexed_tweets: int
    rebuild_scanned: int
    dead_letters: int
    def __init__(self, state: _Optional[_Union[SearchIndexState, str]] = ..., indexed_tweets: _Optional[int] = ..., rebuild_scanned: _Optional[int] = ..., dead_letters: _Optional[int] = ...) -> None: ...
