import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetFanoutStatusRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetFanoutStatusResponse(_message.Message):
    __slots__ = ("queue_depth", "oldest_pending_age", "events_processed", "timeline_writes", "celebrity_tweets_skipped", "dead_letters", "redeliveries")
    QUEUE_DEPTH_FIELD_NUMBER: _ClassVar[int]
    OLDEST_PENDING_AGE_FIELD_NUMBER: _ClassVar[int]
    EVENTS_PROCESSED_FIELD_NUMBER: _ClassVar[int]
    TIMELINE_WRITES_FIELD_NUMBER: _ClassVar[int]
    CELEBRITY_TWEETS_SKIPPED_FIELD_NUMBER: _ClassVar[int]
    DEAD_LETTERS_FIELD_NUMBER: _ClassVar[int]
    REDELIVERIES_FIELD_NUMBER: _ClassVar[int]
    queue_depth: int
    oldest_pending_age: _duration_pb2.Duration
    events_processed: int
    timeline_writes: int
    celebrity_tweets_skipped: int
    dead_letters: int
    redeliveries: int
    def __init__(self, queue_depth: _Optional[int] = ..., oldest_pending_age: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., events_processed: _Optional[int] = ..., timeline_writes: _Optional[int] = ..., celebrity_tweets_skipped: _Optional[int] = ..., dead_letters: _Optional[int] = ..., redeliveries: _Optional[int] = ...) -> None: ...
