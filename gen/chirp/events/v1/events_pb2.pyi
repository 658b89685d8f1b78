import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Event(_message.Message):
    __slots__ = ("event_id", "occur_time", "tweet_created", "tweet_deleted", "user_followed", "user_unfollowed", "user_deleted", "tweet_liked", "tweet_unliked", "celebrity_changed", "user_blocked", "user_unblocked", "user_muted", "user_unmuted")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    TWEET_CREATED_FIELD_NUMBER: _ClassVar[int]
    TWEET_DELETED_FIELD_NUMBER: _ClassVar[int]
    USER_FOLLOWED_FIELD_NUMBER: _ClassVar[int]
    USER_UNFOLLOWED_FIELD_NUMBER: _ClassVar[int]
    USER_DELETED_FIELD_NUMBER: _ClassVar[int]
    TWEET_LIKED_FIELD_NUMBER: _ClassVar[int]
    TWEET_UNLIKED_FIELD_NUMBER: _ClassVar[int]
    CELEBRITY_CHANGED_FIELD_NUMBER: _ClassVar[int]
    USER_BLOCKED_FIELD_NUMBER: _ClassVar[int]
    USER_UNBLOCKED_FIELD_NUMBER: _ClassVar[int]
    USER_MUTED_FIELD_NUMBER: _ClassVar[int]
    USER_UNMUTED_FIELD_NUMBER: _ClassVar[int]
    event_id: int
    occur_time: _timestamp_pb2.Timestamp
    tweet_created: TweetCreated
    tweet_deleted: TweetDeleted
    user_followed: UserFollowed
    user_unfollowed: UserUnfollowed
    user_deleted: UserDeleted
    tweet_liked: TweetLiked
    tweet_unliked: TweetUnliked
    celebrity_changed: CelebrityChanged
    user_blocked: UserBlocked
    user_unblocked: UserUnblocked
    user_muted: UserMuted
    user_unmuted: UserUnmuted
    def __init__(self, event_id: _Optional[int] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., tweet_created: _Optional[_Union[TweetCreated, _Mapping]] = ..., tweet_deleted: _Optional[_Union[TweetDeleted, _Mapping]] = ..., user_followed: _Optional[_Union[UserFollowed, _Mapping]] = ..., user_unfollowed: _Optional[_Union[UserUnfollowed, _Mapping]] = ..., user_deleted: _Optional[_Union[UserDeleted, _Mapping]] = ..., tweet_liked: _Optional[_Union[TweetLiked, _Mapping]] = ..., tweet_unliked: _Optional[_Union[TweetUnliked, _Mapping]] = ..., celebrity_changed: _Optional[_Union[CelebrityChanged, _Mapping]] = ..., user_blocked: _Optional[_Union[UserBlocked, _Mapping]] = ..., user_unblocked: _Optional[_Union[UserUnblocked, _Mapping]] = ..., user_muted: _Optional[_Union[UserMuted, _Mapping]] = ..., user_unmuted: _Optional[_Union[UserUnmuted, _Mapping]] = ...) -> None: ...

class EventBatch(_message.Message):
    __slots__ = ("events",)
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[BatchedEvent]
    def __init__(self, events: _Optional[_Iterable[_Union[BatchedEvent, _Mapping]]] = ...) -> None: ...

class BatchedEvent(_message.Message):
    __slots__ = ("event", "headers")
    class HeadersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    EVENT_FIELD_NUMBER: _ClassVar[int]
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    event: bytes
    headers: _containers.ScalarMap[str, str]
    def __init__(self, event: _Optional[bytes] = ..., headers: _Optional[_Mapping[str, str]] = ...) -> None: ...

class TweetCreated(_message.Message):
    __slots__ = ("tweet_id", "author_id", "text", "in_reply_to_tweet_id", "retweet_of_tweet_id", "author_below_line")
    TWEET_ID_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    IN_REPLY_TO_TWEET_ID_FIELD_NUMBER: _ClassVar[int]
    RETWEET_OF_TWEET_ID_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_BELOW_LINE_FIELD_NUMBER: _ClassVar[int]
    tweet_id: int
    author_id: int
    text: str
    in_reply_to_tweet_id: int
    retweet_of_tweet_id: int
    author_below_line: bool
    def __init__(self, tweet_id: _Optional[int] = ..., author_id: _Optional[int] = ..., text: _Optional[str] = ..., in_reply_to_tweet_id: _Optional[int] = ..., retweet_of_tweet_id: _Optional[int] = ..., author_below_line: _Optional[bool] = ...) -> None: ...

class TweetDeleted(_message.Message):
    __slots__ = ("tweet_id", "author_id")
    TWEET_ID_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_ID_FIELD_NUMBER: _ClassVar[int]
    tweet_id: int
    author_id: int
    def __init__(self, tweet_id: _Optional[int] = ..., author_id: _Optional[int] = ...) -> None: ...

class UserFollowed(_message.Message):
    __slots__ = ("follower_id", "followee_id")
    FOLLOWER_ID_FIELD_NUMBER: _ClassVar[int]
    FOLLOWEE_ID_FIELD_NUMBER: _ClassVar[int]
    follower_id: int
    followee_id: int
    def __init__(self, follower_id: _Optional[int] = ..., followee_id: _Optional[int] = ...) -> None: ...

class UserUnfollowed(_message.Message):
    __slots__ = ("follower_id", "followee_id")
    FOLLOWER_ID_FIELD_NUMBER: _ClassVar[int]
    FOLLOWEE_ID_FIELD_NUMBER: _ClassVar[int]
    follower_id: int
    followee_id: int
    def __init__(self, follower_id: _Optional[int] = ..., followee_id: _Optional[int] = ...) -> None: ...

class UserDeleted(_message.Message):
    __slots__ = ("user_id",)
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    def __init__(self, user_id: _Optional[int] = ...) -> None: ...

class TweetLiked(_message.Message):
    __slots__ = ("tweet_id", "user_id")
    TWEET_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    tweet_id: int
    user_id: int
    def __init__(self, tweet_id: _Optional[int] = ..., user_id: _Optional[int] = ...) -> None: ...

class TweetUnliked(_message.Message):
    __slots__ = ("tweet_id", "user_id")
    TWEET_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    tweet_id: int
    user_id: int
    def __init__(self, tweet_id: _Optional[int] = ..., user_id: _Optional[int] = ...) -> None: ...

class CelebrityChanged(_message.Message):
    __slots__ = ("user_id", "celebrity", "since_ms")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    CELEBRITY_FIELD_NUMBER: _ClassVar[int]
    SINCE_MS_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    celebrity: bool
    since_ms: int
    def __init__(self, user_id: _Optional[int] = ..., celebrity: _Optional[bool] = ..., since_ms: _Optional[int] = ...) -> None: ...

class UserBlocked(_message.Message):
    __slots__ = ("blocker_id", "blocked_id")
    BLOCKER_ID_FIELD_NUMBER: _ClassVar[int]
    BLOCKED_ID_FIELD_NUMBER: _ClassVar[int]
    blocker_id: int
    blocked_id: int
    def __init__(self, blocker_id: _Optional[int] = ..., blocked_id: _Optional[int] = ...) -> None: ...

class UserUnblocked(_message.Message):
    __slots__ = ("blocker_id", "blocked_id")
    BLOCKER_ID_FIELD_NUMBER: _ClassVar[int]
    BLOCKED_ID_FIELD_NUMBER: _ClassVar[int]
    blocker_id: int
    blocked_id: int
    def __init__(self, blocker_id: _Optional[int] = ..., blocked_id: _Optional[int] = ...) -> None: ...

class UserMuted(_message.Message):
    __slots__ = ("muter_id", "muted_id")
    MUTER_ID_FIELD_NUMBER: _ClassVar[int]
    MUTED_ID_FIELD_NUMBER: _ClassVar[int]
    muter_id: int
    muted_id: int
    def __init__(self, muter_id: _Optional[int] = ..., muted_id: _Optional[int] = ...) -> None: ...

class UserUnmuted(_message.Message):
    __slots__ = ("muter_id", "muted_id")
    MUTER_ID_FIELD_NUMBER: _ClassVar[int]
    MUTED_ID_FIELD_NUMBER: _ClassVar[int]
    muter_id: int
    muted_id: int
    def __init__(self, muter_id: _Optional[int] = ..., muted_id: _Optional[int] = ...) -> None: ...
