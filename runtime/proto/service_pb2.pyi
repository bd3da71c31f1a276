from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Status(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OK: _ClassVar[Status]
    Error: _ClassVar[Status]
OK: Status
Error: Status

class InitRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class InitResponse(_message.Message):
    __slots__ = ("jsonSchemas",)
    class JsonSchemasEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    JSONSCHEMAS_FIELD_NUMBER: _ClassVar[int]
    jsonSchemas: _containers.ScalarMap[str, str]
    def __init__(self, jsonSchemas: _Optional[_Mapping[str, str]] = ...) -> None: ...

class CallRequest(_message.Message):
    __slots__ = ("endpoint", "arguments", "fd")
    ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    ARGUMENTS_FIELD_NUMBER: _ClassVar[int]
    FD_FIELD_NUMBER: _ClassVar[int]
    endpoint: str
    arguments: str
    fd: str
    def __init__(self, endpoint: _Optional[str] = ..., arguments: _Optional[str] = ..., fd: _Optional[str] = ...) -> None: ...

class CallResponse(_message.Message):
    __slots__ = ("status", "error", "payload")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    status: Status
    error: str
    payload: str
    def __init__(self, status: _Optional[_Union[Status, str]] = ..., error: _Optional[str] = ..., payload: _Optional[str] = ...) -> None: ...
