from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FanoutChunk(_message.Message):
    __slots__ = ("action", "tweet_id", "follower_ids", "author_id")
    class Action(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        ACTION_UNSPECIFIED: _ClassVar[FanoutChunk.Action]
        ACTION_ADD: _ClassVar[FanoutChunk.Action]
        ACTION_REMOVE: _ClassVar[FanoutChunk.Action]
    ACTION_UNSPECIFIED: FanoutChunk.Action
    ACTION_ADD: FanoutChunk.Action
    ACTION_REMOVE: FanoutChunk.Action
    ACTION_FIELD_NUMBER: _ClassVar[int]
    TWEET_ID_FIELD_NUMBER: _ClassVar[int]
    FOLLOWER_IDS_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_ID_FIELD_NUMBER: _ClassVar[int]
    action: FanoutChunk.Action
    tweet_id: int
    follower_ids: _containers.RepeatedScalarFieldContainer[int]
    author_id: int
    def __init__(self, action: _Optional[_Union[FanoutChunk.Action, str]] = ..., tweet_id: _Optional[int] = ..., follower_ids: _Optional[_Iterable[int]] = ..., author_id: _Optional[int] = ...) -> None: ...
