from google.api import annotations_pb2 as _annotations_pb2
from google.api import httpbody_pb2 as _httpbody_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from polyphony.api.common.v1 import options_pb2 as _options_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Item(_message.Message):
    __slots__ = ("uuid", "url", "title", "description", "artist", "album", "source_file", "source_url", "mime_type", "audio_duration", "samplerate", "channels", "sha1", "sha256", "external_id", "external_uri", "is_public", "lock", "test", "date_added", "date_modified", "provider", "analysis_tracks", "annotation_tracks", "author", "audio_url", "waveform_url")
    class AudioUrlEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    UUID_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ARTIST_FIELD_NUMBER: _ClassVar[int]
    ALBUM_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FILE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_URL_FIELD_NUMBER: _ClassVar[int]
    MIME_TYPE_FIELD_NUMBER: _ClassVar[int]
    AUDIO_DURATION_FIELD_NUMBER: _ClassVar[int]
    SAMPLERATE_FIELD_NUMBER: _ClassVar[int]
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    SHA1_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_ID_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_URI_FIELD_NUMBER: _ClassVar[int]
    IS_PUBLIC_FIELD_NUMBER: _ClassVar[int]
    LOCK_FIELD_NUMBER: _ClassVar[int]
    TEST_FIELD_NUMBER: _ClassVar[int]
    DATE_ADDED_FIELD_NUMBER: _ClassVar[int]
    DATE_MODIFIED_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    ANALYSIS_TRACKS_FIELD_NUMBER: _ClassVar[int]
    ANNOTATION_TRACKS_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_FIELD_NUMBER: _ClassVar[int]
    AUDIO_URL_FIELD_NUMBER: _ClassVar[int]
    WAVEFORM_URL_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    url: str
    title: str
    description: str
    artist: str
    album: str
    source_file: str
    source_url: str
    mime_type: str
    audio_duration: float
    samplerate: int
    channels: int
    sha1: str
    sha256: str
    external_id: str
    external_uri: str
    is_public: bool
    lock: bool
    test: bool
    date_added: str
    date_modified: str
    provider: str
    analysis_tracks: _containers.RepeatedScalarFieldContainer[str]
    annotation_tracks: _containers.RepeatedScalarFieldContainer[str]
    author: str
    audio_url: _containers.ScalarMap[str, str]
    waveform_url: str
    def __init__(self, uuid: _Optional[str] = ..., url: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., artist: _Optional[str] = ..., album: _Optional[str] = ..., source_file: _Optional[str] = ..., source_url: _Optional[str] = ..., mime_type: _Optional[str] = ..., audio_duration: _Optional[float] = ..., samplerate: _Optional[int] = ..., channels: _Optional[int] = ..., sha1: _Optional[str] = ..., sha256: _Optional[str] = ..., external_id: _Optional[str] = ..., external_uri: _Optional[str] = ..., is_public: _Optional[bool] = ..., lock: _Optional[bool] = ..., test: _Optional[bool] = ..., date_added: _Optional[str] = ..., date_modified: _Optional[str] = ..., provider: _Optional[str] = ..., analysis_tracks: _Optional[_Iterable[str]] = ..., annotation_tracks: _Optional[_Iterable[str]] = ..., author: _Optional[str] = ..., audio_url: _Optional[_Mapping[str, str]] = ..., waveform_url: _Optional[str] = ...) -> None: ...

class ItemFields(_message.Message):
    __slots__ = ("title", "description", "artist", "album", "source_url", "external_id", "external_uri", "is_public", "source_filename", "provider")
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ARTIST_FIELD_NUMBER: _ClassVar[int]
    ALBUM_FIELD_NUMBER: _ClassVar[int]
    SOURCE_URL_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_ID_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_URI_FIELD_NUMBER: _ClassVar[int]
    IS_PUBLIC_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FILENAME_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    title: str
    description: str
    artist: str
    album: str
    source_url: str
    external_id: str
    external_uri: str
    is_public: bool
    source_filename: str
    provider: str
    def __init__(self, title: _Optional[str] = ..., description: _Optional[str] = ..., artist: _Optional[str] = ..., album: _Optional[str] = ..., source_url: _Optional[str] = ..., external_id: _Optional[str] = ..., external_uri: _Optional[str] = ..., is_public: _Optional[bool] = ..., source_filename: _Optional[str] = ..., provider: _Optional[str] = ...) -> None: ...

class UploadItemRequest(_message.Message):
    __slots__ = ("fields", "chunk")
    FIELDS_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    fields: ItemFields
    chunk: bytes
    def __init__(self, fields: _Optional[_Union[ItemFields, _Mapping]] = ..., chunk: _Optional[bytes] = ...) -> None: ...

class ListItemsRequest(_message.Message):
    __slots__ = ("external_id", "provider_pid")
    EXTERNAL_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_PID_FIELD_NUMBER: _ClassVar[int]
    external_id: str
    provider_pid: str
    def __init__(self, external_id: _Optional[str] = ..., provider_pid: _Optional[str] = ...) -> None: ...

class GetItemRequest(_message.Message):
    __slots__ = ("uuid",)
    UUID_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    def __init__(self, uuid: _Optional[str] = ...) -> None: ...

class UpdateItemRequest(_message.Message):
    __slots__ = ("uuid", "body")
    UUID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    body: _httpbody_pb2.HttpBody
    def __init__(self, uuid: _Optional[str] = ..., body: _Optional[_Union[_httpbody_pb2.HttpBody, _Mapping]] = ...) -> None: ...

class DeleteItemRequest(_message.Message):
    __slots__ = ("uuid",)
    UUID_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    def __init__(self, uuid: _Optional[str] = ...) -> None: ...

class DeleteItemResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetItemSourceRequest(_message.Message):
    __slots__ = ("uuid", "filename")
    UUID_FIELD_NUMBER: _ClassVar[int]
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    filename: str
    def __init__(self, uuid: _Optional[str] = ..., filename: _Optional[str] = ...) -> None: ...

class Processor(_message.Message):
    __slots__ = ("name", "description", "pid", "url", "version", "parameters_default", "parameters_schema", "synchronous", "uuid")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PID_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    SYNCHRONOUS_FIELD_NUMBER: _ClassVar[int]
    UUID_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    pid: str
    url: str
    version: str
    parameters_default: _struct_pb2.Struct
    parameters_schema: _struct_pb2.Struct
    synchronous: bool
    uuid: str
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., pid: _Optional[str] = ..., url: _Optional[str] = ..., version: _Optional[str] = ..., parameters_default: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., parameters_schema: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., synchronous: _Optional[bool] = ..., uuid: _Optional[str] = ...) -> None: ...

class ListProcessorsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetProcessorRequest(_message.Message):
    __slots__ = ("pid",)
    PID_FIELD_NUMBER: _ClassVar[int]
    pid: str
    def __init__(self, pid: _Optional[str] = ...) -> None: ...

class ProcessorParametersSchema(_message.Message):
    __slots__ = ("parameters_schema",)
    PARAMETERS_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    parameters_schema: _struct_pb2.Struct
    def __init__(self, parameters_schema: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class ProcessorParametersDefault(_message.Message):
    __slots__ = ("parameters_default",)
    PARAMETERS_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    parameters_default: _struct_pb2.Struct
    def __init__(self, parameters_default: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class GetApiRootRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class UpdatePresetRequest(_message.Message):
    __slots__ = ("uuid", "body")
    UUID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    body: _struct_pb2.Struct
    def __init__(self, uuid: _Optional[str] = ..., body: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class DeletePresetRequest(_message.Message):
    __slots__ = ("uuid",)
    UUID_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    def __init__(self, uuid: _Optional[str] = ...) -> None: ...

class DeletePresetResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DeleteTaskRequest(_message.Message):
    __slots__ = ("uuid",)
    UUID_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    def __init__(self, uuid: _Optional[str] = ...) -> None: ...

class DeleteTaskResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Preset(_message.Message):
    __slots__ = ("url", "uuid", "processor", "parameters", "is_public", "date_added", "date_modified", "processor_version")
    URL_FIELD_NUMBER: _ClassVar[int]
    UUID_FIELD_NUMBER: _ClassVar[int]
    PROCESSOR_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    IS_PUBLIC_FIELD_NUMBER: _ClassVar[int]
    DATE_ADDED_FIELD_NUMBER: _ClassVar[int]
    DATE_MODIFIED_FIELD_NUMBER: _ClassVar[int]
    PROCESSOR_VERSION_FIELD_NUMBER: _ClassVar[int]
    url: str
    uuid: str
    processor: str
    parameters: _struct_pb2.Struct
    is_public: bool
    date_added: str
    date_modified: str
    processor_version: str
    def __init__(self, url: _Optional[str] = ..., uuid: _Optional[str] = ..., processor: _Optional[str] = ..., parameters: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., is_public: _Optional[bool] = ..., date_added: _Optional[str] = ..., date_modified: _Optional[str] = ..., processor_version: _Optional[str] = ...) -> None: ...

class CreatePresetRequest(_message.Message):
    __slots__ = ("preset",)
    PRESET_FIELD_NUMBER: _ClassVar[int]
    preset: Preset
    def __init__(self, preset: _Optional[_Union[Preset, _Mapping]] = ...) -> None: ...

class ListPresetsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetPresetRequest(_message.Message):
    __slots__ = ("uuid",)
    UUID_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    def __init__(self, uuid: _Optional[str] = ...) -> None: ...

class Task(_message.Message):
    __slots__ = ("url", "uuid", "item", "preset", "status", "error", "date_added", "date_modified", "experience", "selection", "progress", "author")
    URL_FIELD_NUMBER: _ClassVar[int]
    UUID_FIELD_NUMBER: _ClassVar[int]
    ITEM_FIELD_NUMBER: _ClassVar[int]
    PRESET_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    DATE_ADDED_FIELD_NUMBER: _ClassVar[int]
    DATE_MODIFIED_FIELD_NUMBER: _ClassVar[int]
    EXPERIENCE_FIELD_NUMBER: _ClassVar[int]
    SELECTION_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_FIELD_NUMBER: _ClassVar[int]
    url: str
    uuid: str
    item: str
    preset: str
    status: int
    error: str
    date_added: str
    date_modified: str
    experience: str
    selection: str
    progress: float
    author: str
    def __init__(self, url: _Optional[str] = ..., uuid: _Optional[str] = ..., item: _Optional[str] = ..., preset: _Optional[str] = ..., status: _Optional[int] = ..., error: _Optional[str] = ..., date_added: _Optional[str] = ..., date_modified: _Optional[str] = ..., experience: _Optional[str] = ..., selection: _Optional[str] = ..., progress: _Optional[float] = ..., author: _Optional[str] = ...) -> None: ...

class CreateTaskRequest(_message.Message):
    __slots__ = ("task",)
    TASK_FIELD_NUMBER: _ClassVar[int]
    task: Task
    def __init__(self, task: _Optional[_Union[Task, _Mapping]] = ...) -> None: ...

class ListTasksRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetTaskRequest(_message.Message):
    __slots__ = ("uuid",)
    UUID_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    def __init__(self, uuid: _Optional[str] = ...) -> None: ...

class Result(_message.Message):
    __slots__ = ("url", "uuid", "item", "preset", "status", "mime_type", "file", "run_time", "date_added", "date_modified", "reused", "reused_from", "task", "files")
    class FilesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    URL_FIELD_NUMBER: _ClassVar[int]
    UUID_FIELD_NUMBER: _ClassVar[int]
    ITEM_FIELD_NUMBER: _ClassVar[int]
    PRESET_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    MIME_TYPE_FIELD_NUMBER: _ClassVar[int]
    FILE_FIELD_NUMBER: _ClassVar[int]
    RUN_TIME_FIELD_NUMBER: _ClassVar[int]
    DATE_ADDED_FIELD_NUMBER: _ClassVar[int]
    DATE_MODIFIED_FIELD_NUMBER: _ClassVar[int]
    REUSED_FIELD_NUMBER: _ClassVar[int]
    REUSED_FROM_FIELD_NUMBER: _ClassVar[int]
    TASK_FIELD_NUMBER: _ClassVar[int]
    FILES_FIELD_NUMBER: _ClassVar[int]
    url: str
    uuid: str
    item: str
    preset: str
    status: int
    mime_type: str
    file: str
    run_time: float
    date_added: str
    date_modified: str
    reused: bool
    reused_from: str
    task: str
    files: _containers.ScalarMap[str, str]
    def __init__(self, url: _Optional[str] = ..., uuid: _Optional[str] = ..., item: _Optional[str] = ..., preset: _Optional[str] = ..., status: _Optional[int] = ..., mime_type: _Optional[str] = ..., file: _Optional[str] = ..., run_time: _Optional[float] = ..., date_added: _Optional[str] = ..., date_modified: _Optional[str] = ..., reused: _Optional[bool] = ..., reused_from: _Optional[str] = ..., task: _Optional[str] = ..., files: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ListResultsRequest(_message.Message):
    __slots__ = ("item_uuid", "preset_uuid")
    ITEM_UUID_FIELD_NUMBER: _ClassVar[int]
    PRESET_UUID_FIELD_NUMBER: _ClassVar[int]
    item_uuid: str
    preset_uuid: str
    def __init__(self, item_uuid: _Optional[str] = ..., preset_uuid: _Optional[str] = ...) -> None: ...

class GetResultRequest(_message.Message):
    __slots__ = ("uuid",)
    UUID_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    def __init__(self, uuid: _Optional[str] = ...) -> None: ...

class Experience(_message.Message):
    __slots__ = ("url", "uuid", "title", "description", "presets", "is_public", "date_added", "date_modified", "author")
    URL_FIELD_NUMBER: _ClassVar[int]
    UUID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PRESETS_FIELD_NUMBER: _ClassVar[int]
    IS_PUBLIC_FIELD_NUMBER: _ClassVar[int]
    DATE_ADDED_FIELD_NUMBER: _ClassVar[int]
    DATE_MODIFIED_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_FIELD_NUMBER: _ClassVar[int]
    url: str
    uuid: str
    title: str
    description: str
    presets: _containers.RepeatedScalarFieldContainer[str]
    is_public: bool
    date_added: str
    date_modified: str
    author: str
    def __init__(self, url: _Optional[str] = ..., uuid: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., presets: _Optional[_Iterable[str]] = ..., is_public: _Optional[bool] = ..., date_added: _Optional[str] = ..., date_modified: _Optional[str] = ..., author: _Optional[str] = ...) -> None: ...

class CreateExperienceRequest(_message.Message):
    __slots__ = ("body",)
    BODY_FIELD_NUMBER: _ClassVar[int]
    body: _struct_pb2.Struct
    def __init__(self, body: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class ListExperiencesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetExperienceRequest(_message.Message):
    __slots__ = ("uuid",)
    UUID_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    def __init__(self, uuid: _Optional[str] = ...) -> None: ...

class UpdateExperienceRequest(_message.Message):
    __slots__ = ("uuid", "body")
    UUID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    body: _struct_pb2.Struct
    def __init__(self, uuid: _Optional[str] = ..., body: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class DeleteExperienceRequest(_message.Message):
    __slots__ = ("uuid",)
    UUID_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    def __init__(self, uuid: _Optional[str] = ...) -> None: ...

class DeleteExperienceResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Selection(_message.Message):
    __slots__ = ("url", "uuid", "title", "description", "items", "selections", "is_public", "date_added", "date_modified", "author")
    URL_FIELD_NUMBER: _ClassVar[int]
    UUID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    SELECTIONS_FIELD_NUMBER: _ClassVar[int]
    IS_PUBLIC_FIELD_NUMBER: _ClassVar[int]
    DATE_ADDED_FIELD_NUMBER: _ClassVar[int]
    DATE_MODIFIED_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_FIELD_NUMBER: _ClassVar[int]
    url: str
    uuid: str
    title: str
    description: str
    items: _containers.RepeatedScalarFieldContainer[str]
    selections: _containers.RepeatedScalarFieldContainer[str]
    is_public: bool
    date_added: str
    date_modified: str
    author: str
    def __init__(self, url: _Optional[str] = ..., uuid: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., items: _Optional[_Iterable[str]] = ..., selections: _Optional[_Iterable[str]] = ..., is_public: _Optional[bool] = ..., date_added: _Optional[str] = ..., date_modified: _Optional[str] = ..., author: _Optional[str] = ...) -> None: ...

class CreateSelectionRequest(_message.Message):
    __slots__ = ("body",)
    BODY_FIELD_NUMBER: _ClassVar[int]
    body: _struct_pb2.Struct
    def __init__(self, body: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class ListSelectionsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetSelectionRequest(_message.Message):
    __slots__ = ("uuid",)
    UUID_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    def __init__(self, uuid: _Optional[str] = ...) -> None: ...

class UpdateSelectionRequest(_message.Message):
    __slots__ = ("uuid", "body")
    UUID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    body: _struct_pb2.Struct
    def __init__(self, uuid: _Optional[str] = ..., body: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class DeleteSelectionRequest(_message.Message):
    __slots__ = ("uuid",)
    UUID_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    def __init__(self, uuid: _Optional[str] = ...) -> None: ...

class DeleteSelectionResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class UpdateTaskRequest(_message.Message):
    __slots__ = ("uuid", "body")
    UUID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    body: _struct_pb2.Struct
    def __init__(self, uuid: _Optional[str] = ..., body: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class CancelTaskRequest(_message.Message):
    __slots__ = ("uuid",)
    UUID_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    def __init__(self, uuid: _Optional[str] = ...) -> None: ...

class WatchTaskRequest(_message.Message):
    __slots__ = ("uuid",)
    UUID_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    def __init__(self, uuid: _Optional[str] = ...) -> None: ...

class TaskEvent(_message.Message):
    __slots__ = ("event", "sequence", "task", "result")
    EVENT_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    TASK_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    event: str
    sequence: int
    task: Task
    result: Result
    def __init__(self, event: _Optional[str] = ..., sequence: _Optional[int] = ..., task: _Optional[_Union[Task, _Mapping]] = ..., result: _Optional[_Union[Result, _Mapping]] = ...) -> None: ...

class GetTaskEventsRequest(_message.Message):
    __slots__ = ("uuid",)
    UUID_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    def __init__(self, uuid: _Optional[str] = ...) -> None: ...

class GetResultDataRequest(_message.Message):
    __slots__ = ("uuid", "format")
    UUID_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    format: str
    def __init__(self, uuid: _Optional[str] = ..., format: _Optional[str] = ...) -> None: ...

class GetResultVisualRequest(_message.Message):
    __slots__ = ("uuid", "subprocessor_id", "range_start", "range_stop", "image_width", "image_height")
    UUID_FIELD_NUMBER: _ClassVar[int]
    SUBPROCESSOR_ID_FIELD_NUMBER: _ClassVar[int]
    RANGE_START_FIELD_NUMBER: _ClassVar[int]
    RANGE_STOP_FIELD_NUMBER: _ClassVar[int]
    IMAGE_WIDTH_FIELD_NUMBER: _ClassVar[int]
    IMAGE_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    subprocessor_id: str
    range_start: float
    range_stop: float
    image_width: int
    image_height: int
    def __init__(self, uuid: _Optional[str] = ..., subprocessor_id: _Optional[str] = ..., range_start: _Optional[float] = ..., range_stop: _Optional[float] = ..., image_width: _Optional[int] = ..., image_height: _Optional[int] = ...) -> None: ...

class GetItemWaveformRequest(_message.Message):
    __slots__ = ("uuid", "range_start", "range_stop", "points")
    UUID_FIELD_NUMBER: _ClassVar[int]
    RANGE_START_FIELD_NUMBER: _ClassVar[int]
    RANGE_STOP_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    range_start: float
    range_stop: float
    points: int
    def __init__(self, uuid: _Optional[str] = ..., range_start: _Optional[float] = ..., range_stop: _Optional[float] = ..., points: _Optional[int] = ...) -> None: ...

class Waveform(_message.Message):
    __slots__ = ("start", "stop", "nb_pixels", "time", "min", "max")
    START_FIELD_NUMBER: _ClassVar[int]
    STOP_FIELD_NUMBER: _ClassVar[int]
    NB_PIXELS_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    MIN_FIELD_NUMBER: _ClassVar[int]
    MAX_FIELD_NUMBER: _ClassVar[int]
    start: float
    stop: float
    nb_pixels: int
    time: _containers.RepeatedScalarFieldContainer[float]
    min: _containers.RepeatedScalarFieldContainer[float]
    max: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, start: _Optional[float] = ..., stop: _Optional[float] = ..., nb_pixels: _Optional[int] = ..., time: _Optional[_Iterable[float]] = ..., min: _Optional[_Iterable[float]] = ..., max: _Optional[_Iterable[float]] = ...) -> None: ...

class DownloadItemRequest(_message.Message):
    __slots__ = ("uuid", "ext", "range_start", "range_stop")
    UUID_FIELD_NUMBER: _ClassVar[int]
    EXT_FIELD_NUMBER: _ClassVar[int]
    RANGE_START_FIELD_NUMBER: _ClassVar[int]
    RANGE_STOP_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    ext: str
    range_start: float
    range_stop: float
    def __init__(self, uuid: _Optional[str] = ..., ext: _Optional[str] = ..., range_start: _Optional[float] = ..., range_stop: _Optional[float] = ...) -> None: ...

class GetApiSchemaRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetApiDocsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetItemPageRequest(_message.Message):
    __slots__ = ("uuid",)
    UUID_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    def __init__(self, uuid: _Optional[str] = ...) -> None: ...

class GetPlayerPageRequest(_message.Message):
    __slots__ = ("item",)
    ITEM_FIELD_NUMBER: _ClassVar[int]
    item: str
    def __init__(self, item: _Optional[str] = ...) -> None: ...

class Provider(_message.Message):
    __slots__ = ("uuid", "url", "pid", "name", "description", "domain", "source_access")
    UUID_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    PID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    SOURCE_ACCESS_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    url: str
    pid: str
    name: str
    description: str
    domain: str
    source_access: bool
    def __init__(self, uuid: _Optional[str] = ..., url: _Optional[str] = ..., pid: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., domain: _Optional[str] = ..., source_access: _Optional[bool] = ...) -> None: ...

class ListProvidersRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetProviderRequest(_message.Message):
    __slots__ = ("uuid",)
    UUID_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    def __init__(self, uuid: _Optional[str] = ...) -> None: ...

class SubProcessor(_message.Message):
    __slots__ = ("uuid", "url", "name", "processor", "sub_processor_id", "parameters_schema", "parameters_default")
    UUID_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROCESSOR_FIELD_NUMBER: _ClassVar[int]
    SUB_PROCESSOR_ID_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    url: str
    name: str
    processor: str
    sub_processor_id: str
    parameters_schema: _struct_pb2.Struct
    parameters_default: _struct_pb2.Struct
    def __init__(self, uuid: _Optional[str] = ..., url: _Optional[str] = ..., name: _Optional[str] = ..., processor: _Optional[str] = ..., sub_processor_id: _Optional[str] = ..., parameters_schema: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., parameters_default: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class ListSubProcessorsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetSubProcessorRequest(_message.Message):
    __slots__ = ("sub_processor_id",)
    SUB_PROCESSOR_ID_FIELD_NUMBER: _ClassVar[int]
    sub_processor_id: str
    def __init__(self, sub_processor_id: _Optional[str] = ...) -> None: ...

class Analysis(_message.Message):
    __slots__ = ("url", "uuid", "title", "description", "render_type", "preset", "sub_processor", "featured", "parameters_schema", "is_public", "date_added", "date_modified")
    URL_FIELD_NUMBER: _ClassVar[int]
    UUID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    RENDER_TYPE_FIELD_NUMBER: _ClassVar[int]
    PRESET_FIELD_NUMBER: _ClassVar[int]
    SUB_PROCESSOR_FIELD_NUMBER: _ClassVar[int]
    FEATURED_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    IS_PUBLIC_FIELD_NUMBER: _ClassVar[int]
    DATE_ADDED_FIELD_NUMBER: _ClassVar[int]
    DATE_MODIFIED_FIELD_NUMBER: _ClassVar[int]
    url: str
    uuid: str
    title: str
    description: str
    render_type: int
    preset: str
    sub_processor: str
    featured: bool
    parameters_schema: _struct_pb2.Struct
    is_public: bool
    date_added: str
    date_modified: str
    def __init__(self, url: _Optional[str] = ..., uuid: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., render_type: _Optional[int] = ..., preset: _Optional[str] = ..., sub_processor: _Optional[str] = ..., featured: _Optional[bool] = ..., parameters_schema: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., is_public: _Optional[bool] = ..., date_added: _Optional[str] = ..., date_modified: _Optional[str] = ...) -> None: ...

class AnalysisTrack(_message.Message):
    __slots__ = ("url", "uuid", "title", "description", "analysis", "item", "color", "result_url", "parameters_schema", "parameters_default", "parametrizable", "is_public", "date_added", "date_modified")
    URL_FIELD_NUMBER: _ClassVar[int]
    UUID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ANALYSIS_FIELD_NUMBER: _ClassVar[int]
    ITEM_FIELD_NUMBER: _ClassVar[int]
    COLOR_FIELD_NUMBER: _ClassVar[int]
    RESULT_URL_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    PARAMETRIZABLE_FIELD_NUMBER: _ClassVar[int]
    IS_PUBLIC_FIELD_NUMBER: _ClassVar[int]
    DATE_ADDED_FIELD_NUMBER: _ClassVar[int]
    DATE_MODIFIED_FIELD_NUMBER: _ClassVar[int]
    url: str
    uuid: str
    title: str
    description: str
    analysis: str
    item: str
    color: str
    result_url: str
    parameters_schema: _struct_pb2.Struct
    parameters_default: _struct_pb2.Struct
    parametrizable: bool
    is_public: bool
    date_added: str
    date_modified: str
    def __init__(self, url: _Optional[str] = ..., uuid: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., analysis: _Optional[str] = ..., item: _Optional[str] = ..., color: _Optional[str] = ..., result_url: _Optional[str] = ..., parameters_schema: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., parameters_default: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., parametrizable: _Optional[bool] = ..., is_public: _Optional[bool] = ..., date_added: _Optional[str] = ..., date_modified: _Optional[str] = ...) -> None: ...

class AnnotationTrack(_message.Message):
    __slots__ = ("url", "uuid", "title", "description", "item", "start_time", "overlapping", "is_public", "annotations", "date_added", "date_modified", "author")
    URL_FIELD_NUMBER: _ClassVar[int]
    UUID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ITEM_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    OVERLAPPING_FIELD_NUMBER: _ClassVar[int]
    IS_PUBLIC_FIELD_NUMBER: _ClassVar[int]
    ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
    DATE_ADDED_FIELD_NUMBER: _ClassVar[int]
    DATE_MODIFIED_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_FIELD_NUMBER: _ClassVar[int]
    url: str
    uuid: str
    title: str
    description: str
    item: str
    start_time: float
    overlapping: bool
    is_public: bool
    annotations: _containers.RepeatedScalarFieldContainer[str]
    date_added: str
    date_modified: str
    author: str
    def __init__(self, url: _Optional[str] = ..., uuid: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., item: _Optional[str] = ..., start_time: _Optional[float] = ..., overlapping: _Optional[bool] = ..., is_public: _Optional[bool] = ..., annotations: _Optional[_Iterable[str]] = ..., date_added: _Optional[str] = ..., date_modified: _Optional[str] = ..., author: _Optional[str] = ...) -> None: ...

class Annotation(_message.Message):
    __slots__ = ("url", "uuid", "title", "description", "track", "results", "start_time", "stop_time", "is_public", "date_added", "date_modified")
    URL_FIELD_NUMBER: _ClassVar[int]
    UUID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TRACK_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    STOP_TIME_FIELD_NUMBER: _ClassVar[int]
    IS_PUBLIC_FIELD_NUMBER: _ClassVar[int]
    DATE_ADDED_FIELD_NUMBER: _ClassVar[int]
    DATE_MODIFIED_FIELD_NUMBER: _ClassVar[int]
    url: str
    uuid: str
    title: str
    description: str
    track: str
    results: _containers.RepeatedScalarFieldContainer[str]
    start_time: float
    stop_time: float
    is_public: bool
    date_added: str
    date_modified: str
    def __init__(self, url: _Optional[str] = ..., uuid: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., track: _Optional[str] = ..., results: _Optional[_Iterable[str]] = ..., start_time: _Optional[float] = ..., stop_time: _Optional[float] = ..., is_public: _Optional[bool] = ..., date_added: _Optional[str] = ..., date_modified: _Optional[str] = ...) -> None: ...

class CreateAnalysisRequest(_message.Message):
    __slots__ = ("body",)
    BODY_FIELD_NUMBER: _ClassVar[int]
    body: _struct_pb2.Struct
    def __init__(self, body: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class ListAnalysesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetAnalysisRequest(_message.Message):
    __slots__ = ("uuid",)
    UUID_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    def __init__(self, uuid: _Optional[str] = ...) -> None: ...

class UpdateAnalysisRequest(_message.Message):
    __slots__ = ("uuid", "body")
    UUID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    body: _struct_pb2.Struct
    def __init__(self, uuid: _Optional[str] = ..., body: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class DeleteAnalysisRequest(_message.Message):
    __slots__ = ("uuid",)
    UUID_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    def __init__(self, uuid: _Optional[str] = ...) -> None: ...

class DeleteAnalysisResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CreateAnalysisTrackRequest(_message.Message):
    __slots__ = ("body",)
    BODY_FIELD_NUMBER: _ClassVar[int]
    body: _struct_pb2.Struct
    def __init__(self, body: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class ListAnalysisTracksRequest(_message.Message):
    __slots__ = ("analysis", "item")
    ANALYSIS_FIELD_NUMBER: _ClassVar[int]
    ITEM_FIELD_NUMBER: _ClassVar[int]
    analysis: str
    item: str
    def __init__(self, analysis: _Optional[str] = ..., item: _Optional[str] = ...) -> None: ...

class GetAnalysisTrackRequest(_message.Message):
    __slots__ = ("uuid",)
    UUID_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    def __init__(self, uuid: _Optional[str] = ...) -> None: ...

class ExportResultTrackRequest(_message.Message):
    __slots__ = ("uuid", "res_id", "tool")
    UUID_FIELD_NUMBER: _ClassVar[int]
    RES_ID_FIELD_NUMBER: _ClassVar[int]
    TOOL_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    res_id: str
    tool: str
    def __init__(self, uuid: _Optional[str] = ..., res_id: _Optional[str] = ..., tool: _Optional[str] = ...) -> None: ...

class SetAnalysisTrackParametersRequest(_message.Message):
    __slots__ = ("uuid", "body")
    UUID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    body: _struct_pb2.Struct
    def __init__(self, uuid: _Optional[str] = ..., body: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class UpdateAnalysisTrackRequest(_message.Message):
    __slots__ = ("uuid", "body")
    UUID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    body: _struct_pb2.Struct
    def __init__(self, uuid: _Optional[str] = ..., body: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class DeleteAnalysisTrackRequest(_message.Message):
    __slots__ = ("uuid",)
    UUID_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    def __init__(self, uuid: _Optional[str] = ...) -> None: ...

class DeleteAnalysisTrackResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CreateAnnotationTrackRequest(_message.Message):
    __slots__ = ("body",)
    BODY_FIELD_NUMBER: _ClassVar[int]
    body: _struct_pb2.Struct
    def __init__(self, body: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class ListAnnotationTracksRequest(_message.Message):
    __slots__ = ("item_uuid",)
    ITEM_UUID_FIELD_NUMBER: _ClassVar[int]
    item_uuid: str
    def __init__(self, item_uuid: _Optional[str] = ...) -> None: ...

class GetAnnotationTrackRequest(_message.Message):
    __slots__ = ("uuid",)
    UUID_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    def __init__(self, uuid: _Optional[str] = ...) -> None: ...

class UpdateAnnotationTrackRequest(_message.Message):
    __slots__ = ("uuid", "body")
    UUID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    body: _struct_pb2.Struct
    def __init__(self, uuid: _Optional[str] = ..., body: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class DeleteAnnotationTrackRequest(_message.Message):
    __slots__ = ("uuid",)
    UUID_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    def __init__(self, uuid: _Optional[str] = ...) -> None: ...

class DeleteAnnotationTrackResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CreateAnnotationRequest(_message.Message):
    __slots__ = ("body",)
    BODY_FIELD_NUMBER: _ClassVar[int]
    body: _struct_pb2.Struct
    def __init__(self, body: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class ListAnnotationsRequest(_message.Message):
    __slots__ = ("track_uuid",)
    TRACK_UUID_FIELD_NUMBER: _ClassVar[int]
    track_uuid: str
    def __init__(self, track_uuid: _Optional[str] = ...) -> None: ...

class GetAnnotationRequest(_message.Message):
    __slots__ = ("uuid",)
    UUID_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    def __init__(self, uuid: _Optional[str] = ...) -> None: ...

class UpdateAnnotationRequest(_message.Message):
    __slots__ = ("uuid", "body")
    UUID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    body: _struct_pb2.Struct
    def __init__(self, uuid: _Optional[str] = ..., body: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class DeleteAnnotationRequest(_message.Message):
    __slots__ = ("uuid",)
    UUID_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    def __init__(self, uuid: _Optional[str] = ...) -> None: ...

class DeleteAnnotationResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class User(_message.Message):
    __slots__ = ("url", "username", "first_name", "last_name", "can_write")
    URL_FIELD_NUMBER: _ClassVar[int]
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    FIRST_NAME_FIELD_NUMBER: _ClassVar[int]
    LAST_NAME_FIELD_NUMBER: _ClassVar[int]
    CAN_WRITE_FIELD_NUMBER: _ClassVar[int]
    url: str
    username: str
    first_name: str
    last_name: str
    can_write: bool
    def __init__(self, url: _Optional[str] = ..., username: _Optional[str] = ..., first_name: _Optional[str] = ..., last_name: _Optional[str] = ..., can_write: _Optional[bool] = ...) -> None: ...

class ListUsersRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetUserRequest(_message.Message):
    __slots__ = ("username",)
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    username: str
    def __init__(self, username: _Optional[str] = ...) -> None: ...

class CreateUserRequest(_message.Message):
    __slots__ = ("body",)
    BODY_FIELD_NUMBER: _ClassVar[int]
    body: _struct_pb2.Struct
    def __init__(self, body: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class DeleteUserRequest(_message.Message):
    __slots__ = ("username",)
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    username: str
    def __init__(self, username: _Optional[str] = ...) -> None: ...

class DeleteUserResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ObtainAuthTokenRequest(_message.Message):
    __slots__ = ("body",)
    BODY_FIELD_NUMBER: _ClassVar[int]
    body: _struct_pb2.Struct
    def __init__(self, body: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class AuthToken(_message.Message):
    __slots__ = ("token",)
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    token: str
    def __init__(self, token: _Optional[str] = ...) -> None: ...

class ObtainJwtPairRequest(_message.Message):
    __slots__ = ("body",)
    BODY_FIELD_NUMBER: _ClassVar[int]
    body: _struct_pb2.Struct
    def __init__(self, body: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class RefreshJwtRequest(_message.Message):
    __slots__ = ("body",)
    BODY_FIELD_NUMBER: _ClassVar[int]
    body: _struct_pb2.Struct
    def __init__(self, body: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class JwtPair(_message.Message):
    __slots__ = ("refresh", "access")
    REFRESH_FIELD_NUMBER: _ClassVar[int]
    ACCESS_FIELD_NUMBER: _ClassVar[int]
    refresh: str
    access: str
    def __init__(self, refresh: _Optional[str] = ..., access: _Optional[str] = ...) -> None: ...

class VerifyJwtRequest(_message.Message):
    __slots__ = ("body",)
    BODY_FIELD_NUMBER: _ClassVar[int]
    body: _struct_pb2.Struct
    def __init__(self, body: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class VerifyJwtResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetCsrfTokenRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CsrfToken(_message.Message):
    __slots__ = ("csrftoken",)
    CSRFTOKEN_FIELD_NUMBER: _ClassVar[int]
    csrftoken: str
    def __init__(self, csrftoken: _Optional[str] = ...) -> None: ...

class ExportArchiveRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ImportArchiveResponse(_message.Message):
    __slots__ = ("created", "existing")
    class CreatedEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    class ExistingEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    CREATED_FIELD_NUMBER: _ClassVar[int]
    EXISTING_FIELD_NUMBER: _ClassVar[int]
    created: _containers.ScalarMap[str, int]
    existing: _containers.ScalarMap[str, int]
    def __init__(self, created: _Optional[_Mapping[str, int]] = ..., existing: _Optional[_Mapping[str, int]] = ...) -> None: ...
