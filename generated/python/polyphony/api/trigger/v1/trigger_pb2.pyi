import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.api import httpbody_pb2 as _httpbody_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from polyphony.api.common.v1 import options_pb2 as _options_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetProjectListRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetProjectListResponse(_message.Message):
    __slots__ = ("projects",)
    PROJECTS_FIELD_NUMBER: _ClassVar[int]
    projects: _containers.RepeatedCompositeFieldContainer[Project]
    def __init__(self, projects: _Optional[_Iterable[_Union[Project, _Mapping]]] = ...) -> None: ...

class Project(_message.Message):
    __slots__ = ("project_uuid", "project_path", "project_label", "trigger_uri", "channel_list")
    PROJECT_UUID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_PATH_FIELD_NUMBER: _ClassVar[int]
    PROJECT_LABEL_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_URI_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_LIST_FIELD_NUMBER: _ClassVar[int]
    project_uuid: str
    project_path: _containers.RepeatedScalarFieldContainer[str]
    project_label: _struct_pb2.ListValue
    trigger_uri: str
    channel_list: _containers.RepeatedCompositeFieldContainer[Channel]
    def __init__(self, project_uuid: _Optional[str] = ..., project_path: _Optional[_Iterable[str]] = ..., project_label: _Optional[_Union[_struct_pb2.ListValue, _Mapping]] = ..., trigger_uri: _Optional[str] = ..., channel_list: _Optional[_Iterable[_Union[Channel, _Mapping]]] = ...) -> None: ...

class Channel(_message.Message):
    __slots__ = ("channel_uuid", "label", "container_ids", "provisioning_uri", "trigger_uri", "renderer", "lastmodified")
    CHANNEL_UUID_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_IDS_FIELD_NUMBER: _ClassVar[int]
    PROVISIONING_URI_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_URI_FIELD_NUMBER: _ClassVar[int]
    RENDERER_FIELD_NUMBER: _ClassVar[int]
    LASTMODIFIED_FIELD_NUMBER: _ClassVar[int]
    channel_uuid: str
    label: str
    container_ids: _containers.RepeatedScalarFieldContainer[str]
    provisioning_uri: str
    trigger_uri: str
    renderer: str
    lastmodified: float
    def __init__(self, channel_uuid: _Optional[str] = ..., label: _Optional[str] = ..., container_ids: _Optional[_Iterable[str]] = ..., provisioning_uri: _Optional[str] = ..., trigger_uri: _Optional[str] = ..., renderer: _Optional[str] = ..., lastmodified: _Optional[float] = ...) -> None: ...

class GetFileListRequest(_message.Message):
    __slots__ = ("project_uuid", "channel_uuid")
    PROJECT_UUID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_UUID_FIELD_NUMBER: _ClassVar[int]
    project_uuid: str
    channel_uuid: str
    def __init__(self, project_uuid: _Optional[str] = ..., channel_uuid: _Optional[str] = ...) -> None: ...

class GetFileListResponse(_message.Message):
    __slots__ = ("files",)
    FILES_FIELD_NUMBER: _ClassVar[int]
    files: _containers.RepeatedCompositeFieldContainer[FileDefinition]
    def __init__(self, files: _Optional[_Iterable[_Union[FileDefinition, _Mapping]]] = ...) -> None: ...

class FileDefinition(_message.Message):
    __slots__ = ("filepath", "filesize", "lastmodified")
    FILEPATH_FIELD_NUMBER: _ClassVar[int]
    FILESIZE_FIELD_NUMBER: _ClassVar[int]
    LASTMODIFIED_FIELD_NUMBER: _ClassVar[int]
    filepath: str
    filesize: float
    lastmodified: float
    def __init__(self, filepath: _Optional[str] = ..., filesize: _Optional[float] = ..., lastmodified: _Optional[float] = ...) -> None: ...

class GetAssetRequest(_message.Message):
    __slots__ = ("project_uuid", "channel_uuid", "filepath")
    PROJECT_UUID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_UUID_FIELD_NUMBER: _ClassVar[int]
    FILEPATH_FIELD_NUMBER: _ClassVar[int]
    project_uuid: str
    channel_uuid: str
    filepath: str
    def __init__(self, project_uuid: _Optional[str] = ..., channel_uuid: _Optional[str] = ..., filepath: _Optional[str] = ...) -> None: ...

class PublishRequest(_message.Message):
    __slots__ = ("project_uuid", "payload", "body")
    PROJECT_UUID_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    project_uuid: str
    payload: str
    body: _httpbody_pb2.HttpBody
    def __init__(self, project_uuid: _Optional[str] = ..., payload: _Optional[str] = ..., body: _Optional[_Union[_httpbody_pb2.HttpBody, _Mapping]] = ...) -> None: ...

class PublishResponse(_message.Message):
    __slots__ = ("cue",)
    CUE_FIELD_NUMBER: _ClassVar[int]
    cue: Cue
    def __init__(self, cue: _Optional[_Union[Cue, _Mapping]] = ...) -> None: ...

class Cue(_message.Message):
    __slots__ = ("project_uuid", "sequence", "publish_time", "payload")
    PROJECT_UUID_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    PUBLISH_TIME_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    project_uuid: str
    sequence: float
    publish_time: _timestamp_pb2.Timestamp
    payload: _struct_pb2.Struct
    def __init__(self, project_uuid: _Optional[str] = ..., sequence: _Optional[float] = ..., publish_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., payload: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class SubscribeRequest(_message.Message):
    __slots__ = ("project_uuid", "include_state")
    PROJECT_UUID_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_STATE_FIELD_NUMBER: _ClassVar[int]
    project_uuid: str
    include_state: bool
    def __init__(self, project_uuid: _Optional[str] = ..., include_state: _Optional[bool] = ...) -> None: ...

class SubscribeResponse(_message.Message):
    __slots__ = ("cue", "state")
    CUE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    cue: Cue
    state: bool
    def __init__(self, cue: _Optional[_Union[Cue, _Mapping]] = ..., state: _Optional[bool] = ...) -> None: ...

class WatchAudienceRequest(_message.Message):
    __slots__ = ("project_uuid",)
    PROJECT_UUID_FIELD_NUMBER: _ClassVar[int]
    project_uuid: str
    def __init__(self, project_uuid: _Optional[str] = ...) -> None: ...

class WatchAudienceResponse(_message.Message):
    __slots__ = ("project_uuid", "connections")
    PROJECT_UUID_FIELD_NUMBER: _ClassVar[int]
    CONNECTIONS_FIELD_NUMBER: _ClassVar[int]
    project_uuid: str
    connections: int
    def __init__(self, project_uuid: _Optional[str] = ..., connections: _Optional[int] = ...) -> None: ...

class ListCuesRequest(_message.Message):
    __slots__ = ("project_uuid", "after", "limit")
    PROJECT_UUID_FIELD_NUMBER: _ClassVar[int]
    AFTER_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    project_uuid: str
    after: int
    limit: int
    def __init__(self, project_uuid: _Optional[str] = ..., after: _Optional[int] = ..., limit: _Optional[int] = ...) -> None: ...

class ListCuesResponse(_message.Message):
    __slots__ = ("cues", "next_after")
    CUES_FIELD_NUMBER: _ClassVar[int]
    NEXT_AFTER_FIELD_NUMBER: _ClassVar[int]
    cues: _containers.RepeatedCompositeFieldContainer[Cue]
    next_after: float
    def __init__(self, cues: _Optional[_Iterable[_Union[Cue, _Mapping]]] = ..., next_after: _Optional[float] = ...) -> None: ...

class CueListEntry(_message.Message):
    __slots__ = ("cue_id", "position", "label", "payload")
    CUE_ID_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    cue_id: str
    position: int
    label: str
    payload: _struct_pb2.Struct
    def __init__(self, cue_id: _Optional[str] = ..., position: _Optional[int] = ..., label: _Optional[str] = ..., payload: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class CueList(_message.Message):
    __slots__ = ("project_uuid", "cues", "current")
    PROJECT_UUID_FIELD_NUMBER: _ClassVar[int]
    CUES_FIELD_NUMBER: _ClassVar[int]
    CURRENT_FIELD_NUMBER: _ClassVar[int]
    project_uuid: str
    cues: _containers.RepeatedCompositeFieldContainer[CueListEntry]
    current: int
    def __init__(self, project_uuid: _Optional[str] = ..., cues: _Optional[_Iterable[_Union[CueListEntry, _Mapping]]] = ..., current: _Optional[int] = ...) -> None: ...

class CueListEntryInput(_message.Message):
    __slots__ = ("label", "payload")
    LABEL_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    label: str
    payload: _struct_pb2.Struct
    def __init__(self, label: _Optional[str] = ..., payload: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class GetCueListRequest(_message.Message):
    __slots__ = ("project_uuid",)
    PROJECT_UUID_FIELD_NUMBER: _ClassVar[int]
    project_uuid: str
    def __init__(self, project_uuid: _Optional[str] = ...) -> None: ...

class GetCueListResponse(_message.Message):
    __slots__ = ("cue_list",)
    CUE_LIST_FIELD_NUMBER: _ClassVar[int]
    cue_list: CueList
    def __init__(self, cue_list: _Optional[_Union[CueList, _Mapping]] = ...) -> None: ...

class ReplaceCueListRequest(_message.Message):
    __slots__ = ("project_uuid", "cues")
    PROJECT_UUID_FIELD_NUMBER: _ClassVar[int]
    CUES_FIELD_NUMBER: _ClassVar[int]
    project_uuid: str
    cues: _containers.RepeatedCompositeFieldContainer[CueListEntryInput]
    def __init__(self, project_uuid: _Optional[str] = ..., cues: _Optional[_Iterable[_Union[CueListEntryInput, _Mapping]]] = ...) -> None: ...

class ReplaceCueListResponse(_message.Message):
    __slots__ = ("cue_list",)
    CUE_LIST_FIELD_NUMBER: _ClassVar[int]
    cue_list: CueList
    def __init__(self, cue_list: _Optional[_Union[CueList, _Mapping]] = ...) -> None: ...

class NextCueRequest(_message.Message):
    __slots__ = ("project_uuid",)
    PROJECT_UUID_FIELD_NUMBER: _ClassVar[int]
    project_uuid: str
    def __init__(self, project_uuid: _Optional[str] = ...) -> None: ...

class NextCueResponse(_message.Message):
    __slots__ = ("cue_list", "cue")
    CUE_LIST_FIELD_NUMBER: _ClassVar[int]
    CUE_FIELD_NUMBER: _ClassVar[int]
    cue_list: CueList
    cue: Cue
    def __init__(self, cue_list: _Optional[_Union[CueList, _Mapping]] = ..., cue: _Optional[_Union[Cue, _Mapping]] = ...) -> None: ...

class PreviousCueRequest(_message.Message):
    __slots__ = ("project_uuid",)
    PROJECT_UUID_FIELD_NUMBER: _ClassVar[int]
    project_uuid: str
    def __init__(self, project_uuid: _Optional[str] = ...) -> None: ...

class PreviousCueResponse(_message.Message):
    __slots__ = ("cue_list", "cue")
    CUE_LIST_FIELD_NUMBER: _ClassVar[int]
    CUE_FIELD_NUMBER: _ClassVar[int]
    cue_list: CueList
    cue: Cue
    def __init__(self, cue_list: _Optional[_Union[CueList, _Mapping]] = ..., cue: _Optional[_Union[Cue, _Mapping]] = ...) -> None: ...

class JumpToCueRequest(_message.Message):
    __slots__ = ("project_uuid", "position", "cue_id")
    PROJECT_UUID_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    CUE_ID_FIELD_NUMBER: _ClassVar[int]
    project_uuid: str
    position: int
    cue_id: str
    def __init__(self, project_uuid: _Optional[str] = ..., position: _Optional[int] = ..., cue_id: _Optional[str] = ...) -> None: ...

class JumpToCueResponse(_message.Message):
    __slots__ = ("cue_list", "cue")
    CUE_LIST_FIELD_NUMBER: _ClassVar[int]
    CUE_FIELD_NUMBER: _ClassVar[int]
    cue_list: CueList
    cue: Cue
    def __init__(self, cue_list: _Optional[_Union[CueList, _Mapping]] = ..., cue: _Optional[_Union[Cue, _Mapping]] = ...) -> None: ...

class ProjectInput(_message.Message):
    __slots__ = ("project_uuid", "project_path", "project_label")
    PROJECT_UUID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_PATH_FIELD_NUMBER: _ClassVar[int]
    PROJECT_LABEL_FIELD_NUMBER: _ClassVar[int]
    project_uuid: str
    project_path: _containers.RepeatedScalarFieldContainer[str]
    project_label: _struct_pb2.ListValue
    def __init__(self, project_uuid: _Optional[str] = ..., project_path: _Optional[_Iterable[str]] = ..., project_label: _Optional[_Union[_struct_pb2.ListValue, _Mapping]] = ...) -> None: ...

class ChannelInput(_message.Message):
    __slots__ = ("channel_uuid", "label", "container_ids", "channel_trigger", "provisioning_uri", "lastmodified", "renderer")
    CHANNEL_UUID_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_IDS_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_TRIGGER_FIELD_NUMBER: _ClassVar[int]
    PROVISIONING_URI_FIELD_NUMBER: _ClassVar[int]
    LASTMODIFIED_FIELD_NUMBER: _ClassVar[int]
    RENDERER_FIELD_NUMBER: _ClassVar[int]
    channel_uuid: str
    label: str
    container_ids: _containers.RepeatedScalarFieldContainer[str]
    channel_trigger: bool
    provisioning_uri: str
    lastmodified: float
    renderer: str
    def __init__(self, channel_uuid: _Optional[str] = ..., label: _Optional[str] = ..., container_ids: _Optional[_Iterable[str]] = ..., channel_trigger: _Optional[bool] = ..., provisioning_uri: _Optional[str] = ..., lastmodified: _Optional[float] = ..., renderer: _Optional[str] = ...) -> None: ...

class CreateProjectRequest(_message.Message):
    __slots__ = ("project",)
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    project: ProjectInput
    def __init__(self, project: _Optional[_Union[ProjectInput, _Mapping]] = ...) -> None: ...

class UpdateProjectRequest(_message.Message):
    __slots__ = ("project_uuid", "project")
    PROJECT_UUID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    project_uuid: str
    project: ProjectInput
    def __init__(self, project_uuid: _Optional[str] = ..., project: _Optional[_Union[ProjectInput, _Mapping]] = ...) -> None: ...

class DeleteProjectRequest(_message.Message):
    __slots__ = ("project_uuid",)
    PROJECT_UUID_FIELD_NUMBER: _ClassVar[int]
    project_uuid: str
    def __init__(self, project_uuid: _Optional[str] = ...) -> None: ...

class DeleteProjectResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CreateChannelRequest(_message.Message):
    __slots__ = ("project_uuid", "channel")
    PROJECT_UUID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    project_uuid: str
    channel: ChannelInput
    def __init__(self, project_uuid: _Optional[str] = ..., channel: _Optional[_Union[ChannelInput, _Mapping]] = ...) -> None: ...

class UpdateChannelRequest(_message.Message):
    __slots__ = ("project_uuid", "channel_uuid", "channel")
    PROJECT_UUID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_UUID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    project_uuid: str
    channel_uuid: str
    channel: ChannelInput
    def __init__(self, project_uuid: _Optional[str] = ..., channel_uuid: _Optional[str] = ..., channel: _Optional[_Union[ChannelInput, _Mapping]] = ...) -> None: ...

class DeleteChannelRequest(_message.Message):
    __slots__ = ("project_uuid", "channel_uuid")
    PROJECT_UUID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_UUID_FIELD_NUMBER: _ClassVar[int]
    project_uuid: str
    channel_uuid: str
    def __init__(self, project_uuid: _Optional[str] = ..., channel_uuid: _Optional[str] = ...) -> None: ...

class DeleteChannelResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class UploadAssetRequest(_message.Message):
    __slots__ = ("project_uuid", "channel_uuid", "filepath", "body")
    PROJECT_UUID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_UUID_FIELD_NUMBER: _ClassVar[int]
    FILEPATH_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    project_uuid: str
    channel_uuid: str
    filepath: str
    body: _httpbody_pb2.HttpBody
    def __init__(self, project_uuid: _Optional[str] = ..., channel_uuid: _Optional[str] = ..., filepath: _Optional[str] = ..., body: _Optional[_Union[_httpbody_pb2.HttpBody, _Mapping]] = ...) -> None: ...

class UploadAssetResponse(_message.Message):
    __slots__ = ("file", "content_type", "created", "channel_lastmodified")
    FILE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_LASTMODIFIED_FIELD_NUMBER: _ClassVar[int]
    file: FileDefinition
    content_type: str
    created: bool
    channel_lastmodified: float
    def __init__(self, file: _Optional[_Union[FileDefinition, _Mapping]] = ..., content_type: _Optional[str] = ..., created: _Optional[bool] = ..., channel_lastmodified: _Optional[float] = ...) -> None: ...

class DeleteAssetRequest(_message.Message):
    __slots__ = ("project_uuid", "channel_uuid", "filepath")
    PROJECT_UUID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_UUID_FIELD_NUMBER: _ClassVar[int]
    FILEPATH_FIELD_NUMBER: _ClassVar[int]
    project_uuid: str
    channel_uuid: str
    filepath: str
    def __init__(self, project_uuid: _Optional[str] = ..., channel_uuid: _Optional[str] = ..., filepath: _Optional[str] = ...) -> None: ...

class DeleteAssetResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
