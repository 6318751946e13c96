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

class EventStreamMechanism(_message.Message):
    __slots__ = ("name", "docs", "config")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DOCS_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    name: str
    docs: str
    config: _struct_pb2.Struct
    def __init__(self, name: _Optional[str] = ..., docs: _Optional[str] = ..., config: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class Service(_message.Message):
    __slots__ = ("name", "description", "type", "api_version", "service_version", "event_stream_mechanisms", "min_object_timeout", "min_presigned_url_timeout")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    API_VERSION_FIELD_NUMBER: _ClassVar[int]
    SERVICE_VERSION_FIELD_NUMBER: _ClassVar[int]
    EVENT_STREAM_MECHANISMS_FIELD_NUMBER: _ClassVar[int]
    MIN_OBJECT_TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    MIN_PRESIGNED_URL_TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    type: str
    api_version: str
    service_version: str
    event_stream_mechanisms: _containers.RepeatedCompositeFieldContainer[EventStreamMechanism]
    min_object_timeout: str
    min_presigned_url_timeout: str
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., type: _Optional[str] = ..., api_version: _Optional[str] = ..., service_version: _Optional[str] = ..., event_stream_mechanisms: _Optional[_Iterable[_Union[EventStreamMechanism, _Mapping]]] = ..., min_object_timeout: _Optional[str] = ..., min_presigned_url_timeout: _Optional[str] = ...) -> None: ...

class Rational(_message.Message):
    __slots__ = ("numerator", "denominator")
    NUMERATOR_FIELD_NUMBER: _ClassVar[int]
    DENOMINATOR_FIELD_NUMBER: _ClassVar[int]
    numerator: int
    denominator: int
    def __init__(self, numerator: _Optional[int] = ..., denominator: _Optional[int] = ...) -> None: ...

class FlowCollectionItem(_message.Message):
    __slots__ = ("id", "role", "container_mapping")
    ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_MAPPING_FIELD_NUMBER: _ClassVar[int]
    id: str
    role: str
    container_mapping: _struct_pb2.Struct
    def __init__(self, id: _Optional[str] = ..., role: _Optional[str] = ..., container_mapping: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class SourceCollectionItem(_message.Message):
    __slots__ = ("id", "role")
    ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    id: str
    role: str
    def __init__(self, id: _Optional[str] = ..., role: _Optional[str] = ...) -> None: ...

class Flow(_message.Message):
    __slots__ = ("id", "source_id", "format", "label", "description", "created_by", "updated_by", "tags", "metadata_version", "generation", "created", "metadata_updated", "segments_updated", "status", "read_only", "max_bit_rate", "timerange", "flow_collection", "collected_by", "profile_id", "codec", "container", "avg_bit_rate", "segment_duration", "container_mapping", "essence_parameters")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _struct_pb2.Value
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    METADATA_VERSION_FIELD_NUMBER: _ClassVar[int]
    GENERATION_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    METADATA_UPDATED_FIELD_NUMBER: _ClassVar[int]
    SEGMENTS_UPDATED_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    READ_ONLY_FIELD_NUMBER: _ClassVar[int]
    MAX_BIT_RATE_FIELD_NUMBER: _ClassVar[int]
    TIMERANGE_FIELD_NUMBER: _ClassVar[int]
    FLOW_COLLECTION_FIELD_NUMBER: _ClassVar[int]
    COLLECTED_BY_FIELD_NUMBER: _ClassVar[int]
    PROFILE_ID_FIELD_NUMBER: _ClassVar[int]
    CODEC_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_FIELD_NUMBER: _ClassVar[int]
    AVG_BIT_RATE_FIELD_NUMBER: _ClassVar[int]
    SEGMENT_DURATION_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_MAPPING_FIELD_NUMBER: _ClassVar[int]
    ESSENCE_PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    id: str
    source_id: str
    format: str
    label: str
    description: str
    created_by: str
    updated_by: str
    tags: _containers.MessageMap[str, _struct_pb2.Value]
    metadata_version: str
    generation: int
    created: str
    metadata_updated: str
    segments_updated: str
    status: str
    read_only: bool
    max_bit_rate: int
    timerange: str
    flow_collection: _containers.RepeatedCompositeFieldContainer[FlowCollectionItem]
    collected_by: _containers.RepeatedScalarFieldContainer[str]
    profile_id: str
    codec: str
    container: str
    avg_bit_rate: int
    segment_duration: Rational
    container_mapping: _struct_pb2.Struct
    essence_parameters: _struct_pb2.Struct
    def __init__(self, id: _Optional[str] = ..., source_id: _Optional[str] = ..., format: _Optional[str] = ..., label: _Optional[str] = ..., description: _Optional[str] = ..., created_by: _Optional[str] = ..., updated_by: _Optional[str] = ..., tags: _Optional[_Mapping[str, _struct_pb2.Value]] = ..., metadata_version: _Optional[str] = ..., generation: _Optional[int] = ..., created: _Optional[str] = ..., metadata_updated: _Optional[str] = ..., segments_updated: _Optional[str] = ..., status: _Optional[str] = ..., read_only: _Optional[bool] = ..., max_bit_rate: _Optional[int] = ..., timerange: _Optional[str] = ..., flow_collection: _Optional[_Iterable[_Union[FlowCollectionItem, _Mapping]]] = ..., collected_by: _Optional[_Iterable[str]] = ..., profile_id: _Optional[str] = ..., codec: _Optional[str] = ..., container: _Optional[str] = ..., avg_bit_rate: _Optional[int] = ..., segment_duration: _Optional[_Union[Rational, _Mapping]] = ..., container_mapping: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., essence_parameters: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class Source(_message.Message):
    __slots__ = ("id", "format", "label", "description", "created_by", "updated_by", "created", "updated", "tags", "source_collection", "collected_by")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _struct_pb2.Value
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    UPDATED_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    SOURCE_COLLECTION_FIELD_NUMBER: _ClassVar[int]
    COLLECTED_BY_FIELD_NUMBER: _ClassVar[int]
    id: str
    format: str
    label: str
    description: str
    created_by: str
    updated_by: str
    created: str
    updated: str
    tags: _containers.MessageMap[str, _struct_pb2.Value]
    source_collection: _containers.RepeatedCompositeFieldContainer[SourceCollectionItem]
    collected_by: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[str] = ..., format: _Optional[str] = ..., label: _Optional[str] = ..., description: _Optional[str] = ..., created_by: _Optional[str] = ..., updated_by: _Optional[str] = ..., created: _Optional[str] = ..., updated: _Optional[str] = ..., tags: _Optional[_Mapping[str, _struct_pb2.Value]] = ..., source_collection: _Optional[_Iterable[_Union[SourceCollectionItem, _Mapping]]] = ..., collected_by: _Optional[_Iterable[str]] = ...) -> None: ...

class Profile(_message.Message):
    __slots__ = ("id", "label", "description", "created_by", "created", "tags", "flow_metadata")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _struct_pb2.Value
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    FLOW_METADATA_FIELD_NUMBER: _ClassVar[int]
    id: str
    label: str
    description: str
    created_by: str
    created: str
    tags: _containers.MessageMap[str, _struct_pb2.Value]
    flow_metadata: _struct_pb2.Struct
    def __init__(self, id: _Optional[str] = ..., label: _Optional[str] = ..., description: _Optional[str] = ..., created_by: _Optional[str] = ..., created: _Optional[str] = ..., tags: _Optional[_Mapping[str, _struct_pb2.Value]] = ..., flow_metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class GetServiceRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListRootEndpointsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class UpdateServiceRequest(_message.Message):
    __slots__ = ("name", "description")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class ListFlowsRequest(_message.Message):
    __slots__ = ("source_id", "format", "codec", "label", "profile_id", "frame_width", "frame_height", "tag", "tag_exists", "limit", "page", "timerange", "reverse_order", "sort_by", "status", "init_segments", "collected_by_ids")
    class TagEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class TagExistsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    SOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    CODEC_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    PROFILE_ID_FIELD_NUMBER: _ClassVar[int]
    FRAME_WIDTH_FIELD_NUMBER: _ClassVar[int]
    FRAME_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    TAG_FIELD_NUMBER: _ClassVar[int]
    TAG_EXISTS_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    TIMERANGE_FIELD_NUMBER: _ClassVar[int]
    REVERSE_ORDER_FIELD_NUMBER: _ClassVar[int]
    SORT_BY_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    INIT_SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    COLLECTED_BY_IDS_FIELD_NUMBER: _ClassVar[int]
    source_id: str
    format: str
    codec: str
    label: str
    profile_id: str
    frame_width: int
    frame_height: int
    tag: _containers.ScalarMap[str, str]
    tag_exists: _containers.ScalarMap[str, str]
    limit: int
    page: str
    timerange: str
    reverse_order: bool
    sort_by: str
    status: str
    init_segments: bool
    collected_by_ids: str
    def __init__(self, source_id: _Optional[str] = ..., format: _Optional[str] = ..., codec: _Optional[str] = ..., label: _Optional[str] = ..., profile_id: _Optional[str] = ..., frame_width: _Optional[int] = ..., frame_height: _Optional[int] = ..., tag: _Optional[_Mapping[str, str]] = ..., tag_exists: _Optional[_Mapping[str, str]] = ..., limit: _Optional[int] = ..., page: _Optional[str] = ..., timerange: _Optional[str] = ..., reverse_order: _Optional[bool] = ..., sort_by: _Optional[str] = ..., status: _Optional[str] = ..., init_segments: _Optional[bool] = ..., collected_by_ids: _Optional[str] = ...) -> None: ...

class ListFlowsResponse(_message.Message):
    __slots__ = ("flows", "next_page")
    FLOWS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_FIELD_NUMBER: _ClassVar[int]
    flows: _containers.RepeatedCompositeFieldContainer[Flow]
    next_page: str
    def __init__(self, flows: _Optional[_Iterable[_Union[Flow, _Mapping]]] = ..., next_page: _Optional[str] = ...) -> None: ...

class GetFlowRequest(_message.Message):
    __slots__ = ("flow_id", "include_timerange", "timerange")
    FLOW_ID_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_TIMERANGE_FIELD_NUMBER: _ClassVar[int]
    TIMERANGE_FIELD_NUMBER: _ClassVar[int]
    flow_id: str
    include_timerange: bool
    timerange: str
    def __init__(self, flow_id: _Optional[str] = ..., include_timerange: _Optional[bool] = ..., timerange: _Optional[str] = ...) -> None: ...

class PutFlowRequest(_message.Message):
    __slots__ = ("flow_id", "flow")
    FLOW_ID_FIELD_NUMBER: _ClassVar[int]
    FLOW_FIELD_NUMBER: _ClassVar[int]
    flow_id: str
    flow: Flow
    def __init__(self, flow_id: _Optional[str] = ..., flow: _Optional[_Union[Flow, _Mapping]] = ...) -> None: ...

class DeleteFlowRequest(_message.Message):
    __slots__ = ("flow_id",)
    FLOW_ID_FIELD_NUMBER: _ClassVar[int]
    flow_id: str
    def __init__(self, flow_id: _Optional[str] = ...) -> None: ...

class DeleteFlowResponse(_message.Message):
    __slots__ = ("id", "flow_id", "timerange_to_delete", "timerange_remaining", "delete_flow", "created", "created_by", "updated", "expiry", "status", "error")
    ID_FIELD_NUMBER: _ClassVar[int]
    FLOW_ID_FIELD_NUMBER: _ClassVar[int]
    TIMERANGE_TO_DELETE_FIELD_NUMBER: _ClassVar[int]
    TIMERANGE_REMAINING_FIELD_NUMBER: _ClassVar[int]
    DELETE_FLOW_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    UPDATED_FIELD_NUMBER: _ClassVar[int]
    EXPIRY_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    id: str
    flow_id: str
    timerange_to_delete: str
    timerange_remaining: str
    delete_flow: bool
    created: str
    created_by: str
    updated: str
    expiry: str
    status: str
    error: Error
    def __init__(self, id: _Optional[str] = ..., flow_id: _Optional[str] = ..., timerange_to_delete: _Optional[str] = ..., timerange_remaining: _Optional[str] = ..., delete_flow: _Optional[bool] = ..., created: _Optional[str] = ..., created_by: _Optional[str] = ..., updated: _Optional[str] = ..., expiry: _Optional[str] = ..., status: _Optional[str] = ..., error: _Optional[_Union[Error, _Mapping]] = ...) -> None: ...

class GetFlowLabelRequest(_message.Message):
    __slots__ = ("flow_id",)
    FLOW_ID_FIELD_NUMBER: _ClassVar[int]
    flow_id: str
    def __init__(self, flow_id: _Optional[str] = ...) -> None: ...

class SetFlowLabelRequest(_message.Message):
    __slots__ = ("flow_id", "label")
    FLOW_ID_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    flow_id: str
    label: str
    def __init__(self, flow_id: _Optional[str] = ..., label: _Optional[str] = ...) -> None: ...

class SetFlowLabelResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DeleteFlowLabelRequest(_message.Message):
    __slots__ = ("flow_id",)
    FLOW_ID_FIELD_NUMBER: _ClassVar[int]
    flow_id: str
    def __init__(self, flow_id: _Optional[str] = ...) -> None: ...

class DeleteFlowLabelResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetFlowDescriptionRequest(_message.Message):
    __slots__ = ("flow_id",)
    FLOW_ID_FIELD_NUMBER: _ClassVar[int]
    flow_id: str
    def __init__(self, flow_id: _Optional[str] = ...) -> None: ...

class SetFlowDescriptionRequest(_message.Message):
    __slots__ = ("flow_id", "description")
    FLOW_ID_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    flow_id: str
    description: str
    def __init__(self, flow_id: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class SetFlowDescriptionResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DeleteFlowDescriptionRequest(_message.Message):
    __slots__ = ("flow_id",)
    FLOW_ID_FIELD_NUMBER: _ClassVar[int]
    flow_id: str
    def __init__(self, flow_id: _Optional[str] = ...) -> None: ...

class DeleteFlowDescriptionResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetFlowReadOnlyRequest(_message.Message):
    __slots__ = ("flow_id",)
    FLOW_ID_FIELD_NUMBER: _ClassVar[int]
    flow_id: str
    def __init__(self, flow_id: _Optional[str] = ...) -> None: ...

class SetFlowReadOnlyRequest(_message.Message):
    __slots__ = ("flow_id", "read_only")
    FLOW_ID_FIELD_NUMBER: _ClassVar[int]
    READ_ONLY_FIELD_NUMBER: _ClassVar[int]
    flow_id: str
    read_only: _struct_pb2.Value
    def __init__(self, flow_id: _Optional[str] = ..., read_only: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ...) -> None: ...

class SetFlowReadOnlyResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetFlowTagsRequest(_message.Message):
    __slots__ = ("flow_id",)
    FLOW_ID_FIELD_NUMBER: _ClassVar[int]
    flow_id: str
    def __init__(self, flow_id: _Optional[str] = ...) -> None: ...

class GetFlowTagRequest(_message.Message):
    __slots__ = ("flow_id", "name")
    FLOW_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    flow_id: str
    name: str
    def __init__(self, flow_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class SetFlowTagRequest(_message.Message):
    __slots__ = ("flow_id", "name", "value")
    FLOW_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    flow_id: str
    name: str
    value: _struct_pb2.Value
    def __init__(self, flow_id: _Optional[str] = ..., name: _Optional[str] = ..., value: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ...) -> None: ...

class SetFlowTagResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DeleteFlowTagRequest(_message.Message):
    __slots__ = ("flow_id", "name")
    FLOW_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    flow_id: str
    name: str
    def __init__(self, flow_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class DeleteFlowTagResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetFlowCollectionRequest(_message.Message):
    __slots__ = ("flow_id",)
    FLOW_ID_FIELD_NUMBER: _ClassVar[int]
    flow_id: str
    def __init__(self, flow_id: _Optional[str] = ...) -> None: ...

class SetFlowCollectionRequest(_message.Message):
    __slots__ = ("flow_id", "flow_collection")
    FLOW_ID_FIELD_NUMBER: _ClassVar[int]
    FLOW_COLLECTION_FIELD_NUMBER: _ClassVar[int]
    flow_id: str
    flow_collection: _struct_pb2.Value
    def __init__(self, flow_id: _Optional[str] = ..., flow_collection: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ...) -> None: ...

class SetFlowCollectionResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DeleteFlowCollectionRequest(_message.Message):
    __slots__ = ("flow_id",)
    FLOW_ID_FIELD_NUMBER: _ClassVar[int]
    flow_id: str
    def __init__(self, flow_id: _Optional[str] = ...) -> None: ...

class DeleteFlowCollectionResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetFlowMaxBitRateRequest(_message.Message):
    __slots__ = ("flow_id",)
    FLOW_ID_FIELD_NUMBER: _ClassVar[int]
    flow_id: str
    def __init__(self, flow_id: _Optional[str] = ...) -> None: ...

class SetFlowMaxBitRateRequest(_message.Message):
    __slots__ = ("flow_id", "max_bit_rate")
    FLOW_ID_FIELD_NUMBER: _ClassVar[int]
    MAX_BIT_RATE_FIELD_NUMBER: _ClassVar[int]
    flow_id: str
    max_bit_rate: _struct_pb2.Value
    def __init__(self, flow_id: _Optional[str] = ..., max_bit_rate: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ...) -> None: ...

class SetFlowMaxBitRateResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DeleteFlowMaxBitRateRequest(_message.Message):
    __slots__ = ("flow_id",)
    FLOW_ID_FIELD_NUMBER: _ClassVar[int]
    flow_id: str
    def __init__(self, flow_id: _Optional[str] = ...) -> None: ...

class DeleteFlowMaxBitRateResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetFlowAvgBitRateRequest(_message.Message):
    __slots__ = ("flow_id",)
    FLOW_ID_FIELD_NUMBER: _ClassVar[int]
    flow_id: str
    def __init__(self, flow_id: _Optional[str] = ...) -> None: ...

class SetFlowAvgBitRateRequest(_message.Message):
    __slots__ = ("flow_id", "avg_bit_rate")
    FLOW_ID_FIELD_NUMBER: _ClassVar[int]
    AVG_BIT_RATE_FIELD_NUMBER: _ClassVar[int]
    flow_id: str
    avg_bit_rate: _struct_pb2.Value
    def __init__(self, flow_id: _Optional[str] = ..., avg_bit_rate: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ...) -> None: ...

class SetFlowAvgBitRateResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DeleteFlowAvgBitRateRequest(_message.Message):
    __slots__ = ("flow_id",)
    FLOW_ID_FIELD_NUMBER: _ClassVar[int]
    flow_id: str
    def __init__(self, flow_id: _Optional[str] = ...) -> None: ...

class DeleteFlowAvgBitRateResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListSourcesRequest(_message.Message):
    __slots__ = ("label", "format", "tag", "tag_exists", "limit", "page", "reverse_order", "sort_by", "collected_by_ids")
    class TagEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class TagExistsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    LABEL_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    TAG_FIELD_NUMBER: _ClassVar[int]
    TAG_EXISTS_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    REVERSE_ORDER_FIELD_NUMBER: _ClassVar[int]
    SORT_BY_FIELD_NUMBER: _ClassVar[int]
    COLLECTED_BY_IDS_FIELD_NUMBER: _ClassVar[int]
    label: str
    format: str
    tag: _containers.ScalarMap[str, str]
    tag_exists: _containers.ScalarMap[str, str]
    limit: int
    page: str
    reverse_order: bool
    sort_by: str
    collected_by_ids: str
    def __init__(self, label: _Optional[str] = ..., format: _Optional[str] = ..., tag: _Optional[_Mapping[str, str]] = ..., tag_exists: _Optional[_Mapping[str, str]] = ..., limit: _Optional[int] = ..., page: _Optional[str] = ..., reverse_order: _Optional[bool] = ..., sort_by: _Optional[str] = ..., collected_by_ids: _Optional[str] = ...) -> None: ...

class ListSourcesResponse(_message.Message):
    __slots__ = ("sources", "next_page")
    SOURCES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_FIELD_NUMBER: _ClassVar[int]
    sources: _containers.RepeatedCompositeFieldContainer[Source]
    next_page: str
    def __init__(self, sources: _Optional[_Iterable[_Union[Source, _Mapping]]] = ..., next_page: _Optional[str] = ...) -> None: ...

class GetSourceRequest(_message.Message):
    __slots__ = ("source_id",)
    SOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    source_id: str
    def __init__(self, source_id: _Optional[str] = ...) -> None: ...

class GetSourceTagsRequest(_message.Message):
    __slots__ = ("source_id",)
    SOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    source_id: str
    def __init__(self, source_id: _Optional[str] = ...) -> None: ...

class GetSourceTagRequest(_message.Message):
    __slots__ = ("source_id", "name")
    SOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    source_id: str
    name: str
    def __init__(self, source_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class SetSourceTagRequest(_message.Message):
    __slots__ = ("source_id", "name", "value")
    SOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    source_id: str
    name: str
    value: _struct_pb2.Value
    def __init__(self, source_id: _Optional[str] = ..., name: _Optional[str] = ..., value: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ...) -> None: ...

class SetSourceTagResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DeleteSourceTagRequest(_message.Message):
    __slots__ = ("source_id", "name")
    SOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    source_id: str
    name: str
    def __init__(self, source_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class DeleteSourceTagResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetSourceLabelRequest(_message.Message):
    __slots__ = ("source_id",)
    SOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    source_id: str
    def __init__(self, source_id: _Optional[str] = ...) -> None: ...

class SetSourceLabelRequest(_message.Message):
    __slots__ = ("source_id", "label")
    SOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    source_id: str
    label: str
    def __init__(self, source_id: _Optional[str] = ..., label: _Optional[str] = ...) -> None: ...

class SetSourceLabelResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DeleteSourceLabelRequest(_message.Message):
    __slots__ = ("source_id",)
    SOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    source_id: str
    def __init__(self, source_id: _Optional[str] = ...) -> None: ...

class DeleteSourceLabelResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetSourceDescriptionRequest(_message.Message):
    __slots__ = ("source_id",)
    SOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    source_id: str
    def __init__(self, source_id: _Optional[str] = ...) -> None: ...

class SetSourceDescriptionRequest(_message.Message):
    __slots__ = ("source_id", "description")
    SOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    source_id: str
    description: str
    def __init__(self, source_id: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class SetSourceDescriptionResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DeleteSourceDescriptionRequest(_message.Message):
    __slots__ = ("source_id",)
    SOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    source_id: str
    def __init__(self, source_id: _Optional[str] = ...) -> None: ...

class DeleteSourceDescriptionResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CreateProfileRequest(_message.Message):
    __slots__ = ("profile", "profile_id")
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    PROFILE_ID_FIELD_NUMBER: _ClassVar[int]
    profile: Profile
    profile_id: str
    def __init__(self, profile: _Optional[_Union[Profile, _Mapping]] = ..., profile_id: _Optional[str] = ...) -> None: ...

class ListProfilesRequest(_message.Message):
    __slots__ = ("format", "codec", "label", "limit", "page")
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    CODEC_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    format: str
    codec: str
    label: str
    limit: int
    page: str
    def __init__(self, format: _Optional[str] = ..., codec: _Optional[str] = ..., label: _Optional[str] = ..., limit: _Optional[int] = ..., page: _Optional[str] = ...) -> None: ...

class ListProfilesResponse(_message.Message):
    __slots__ = ("profiles", "next_page")
    PROFILES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_FIELD_NUMBER: _ClassVar[int]
    profiles: _containers.RepeatedCompositeFieldContainer[Profile]
    next_page: str
    def __init__(self, profiles: _Optional[_Iterable[_Union[Profile, _Mapping]]] = ..., next_page: _Optional[str] = ...) -> None: ...

class GetProfileRequest(_message.Message):
    __slots__ = ("profile_id",)
    PROFILE_ID_FIELD_NUMBER: _ClassVar[int]
    profile_id: str
    def __init__(self, profile_id: _Optional[str] = ...) -> None: ...

class Error(_message.Message):
    __slots__ = ("type", "summary", "time")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    type: str
    summary: str
    time: str
    def __init__(self, type: _Optional[str] = ..., summary: _Optional[str] = ..., time: _Optional[str] = ...) -> None: ...

class GetUrl(_message.Message):
    __slots__ = ("url", "presigned", "label", "storage_id", "controlled", "store_type", "provider", "store_product")
    URL_FIELD_NUMBER: _ClassVar[int]
    PRESIGNED_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    STORAGE_ID_FIELD_NUMBER: _ClassVar[int]
    CONTROLLED_FIELD_NUMBER: _ClassVar[int]
    STORE_TYPE_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    STORE_PRODUCT_FIELD_NUMBER: _ClassVar[int]
    url: str
    presigned: bool
    label: str
    storage_id: str
    controlled: bool
    store_type: str
    provider: str
    store_product: str
    def __init__(self, url: _Optional[str] = ..., presigned: _Optional[bool] = ..., label: _Optional[str] = ..., storage_id: _Optional[str] = ..., controlled: _Optional[bool] = ..., store_type: _Optional[str] = ..., provider: _Optional[str] = ..., store_product: _Optional[str] = ...) -> None: ...

class SegmentInitObject(_message.Message):
    __slots__ = ("object_id", "get_urls")
    OBJECT_ID_FIELD_NUMBER: _ClassVar[int]
    GET_URLS_FIELD_NUMBER: _ClassVar[int]
    object_id: str
    get_urls: _containers.RepeatedCompositeFieldContainer[GetUrl]
    def __init__(self, object_id: _Optional[str] = ..., get_urls: _Optional[_Iterable[_Union[GetUrl, _Mapping]]] = ...) -> None: ...

class Segment(_message.Message):
    __slots__ = ("object_id", "timerange", "ts_offset", "last_duration", "object_timerange", "sample_offset", "sample_count", "key_frame_count", "init_object", "get_urls")
    OBJECT_ID_FIELD_NUMBER: _ClassVar[int]
    TIMERANGE_FIELD_NUMBER: _ClassVar[int]
    TS_OFFSET_FIELD_NUMBER: _ClassVar[int]
    LAST_DURATION_FIELD_NUMBER: _ClassVar[int]
    OBJECT_TIMERANGE_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_OFFSET_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_COUNT_FIELD_NUMBER: _ClassVar[int]
    KEY_FRAME_COUNT_FIELD_NUMBER: _ClassVar[int]
    INIT_OBJECT_FIELD_NUMBER: _ClassVar[int]
    GET_URLS_FIELD_NUMBER: _ClassVar[int]
    object_id: str
    timerange: str
    ts_offset: str
    last_duration: str
    object_timerange: str
    sample_offset: int
    sample_count: int
    key_frame_count: int
    init_object: SegmentInitObject
    get_urls: _containers.RepeatedCompositeFieldContainer[GetUrl]
    def __init__(self, object_id: _Optional[str] = ..., timerange: _Optional[str] = ..., ts_offset: _Optional[str] = ..., last_duration: _Optional[str] = ..., object_timerange: _Optional[str] = ..., sample_offset: _Optional[int] = ..., sample_count: _Optional[int] = ..., key_frame_count: _Optional[int] = ..., init_object: _Optional[_Union[SegmentInitObject, _Mapping]] = ..., get_urls: _Optional[_Iterable[_Union[GetUrl, _Mapping]]] = ...) -> None: ...

class ListSegmentsRequest(_message.Message):
    __slots__ = ("flow_id", "timerange", "object_id", "reverse_order", "verbose_storage", "accept_get_urls", "accept_storage_ids", "presigned", "include_object_timerange", "limit", "page", "storage_backend_tag", "storage_backend_tag_exists")
    class StorageBackendTagEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class StorageBackendTagExistsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    FLOW_ID_FIELD_NUMBER: _ClassVar[int]
    TIMERANGE_FIELD_NUMBER: _ClassVar[int]
    OBJECT_ID_FIELD_NUMBER: _ClassVar[int]
    REVERSE_ORDER_FIELD_NUMBER: _ClassVar[int]
    VERBOSE_STORAGE_FIELD_NUMBER: _ClassVar[int]
    ACCEPT_GET_URLS_FIELD_NUMBER: _ClassVar[int]
    ACCEPT_STORAGE_IDS_FIELD_NUMBER: _ClassVar[int]
    PRESIGNED_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_OBJECT_TIMERANGE_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    STORAGE_BACKEND_TAG_FIELD_NUMBER: _ClassVar[int]
    STORAGE_BACKEND_TAG_EXISTS_FIELD_NUMBER: _ClassVar[int]
    flow_id: str
    timerange: str
    object_id: str
    reverse_order: bool
    verbose_storage: bool
    accept_get_urls: str
    accept_storage_ids: str
    presigned: bool
    include_object_timerange: bool
    limit: int
    page: str
    storage_backend_tag: _containers.ScalarMap[str, str]
    storage_backend_tag_exists: _containers.ScalarMap[str, str]
    def __init__(self, flow_id: _Optional[str] = ..., timerange: _Optional[str] = ..., object_id: _Optional[str] = ..., reverse_order: _Optional[bool] = ..., verbose_storage: _Optional[bool] = ..., accept_get_urls: _Optional[str] = ..., accept_storage_ids: _Optional[str] = ..., presigned: _Optional[bool] = ..., include_object_timerange: _Optional[bool] = ..., limit: _Optional[int] = ..., page: _Optional[str] = ..., storage_backend_tag: _Optional[_Mapping[str, str]] = ..., storage_backend_tag_exists: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ListSegmentsResponse(_message.Message):
    __slots__ = ("segments", "next_page", "paging_timerange")
    SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_FIELD_NUMBER: _ClassVar[int]
    PAGING_TIMERANGE_FIELD_NUMBER: _ClassVar[int]
    segments: _containers.RepeatedCompositeFieldContainer[Segment]
    next_page: str
    paging_timerange: str
    def __init__(self, segments: _Optional[_Iterable[_Union[Segment, _Mapping]]] = ..., next_page: _Optional[str] = ..., paging_timerange: _Optional[str] = ...) -> None: ...

class CreateSegmentsRequest(_message.Message):
    __slots__ = ("flow_id", "segments")
    FLOW_ID_FIELD_NUMBER: _ClassVar[int]
    SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    flow_id: str
    segments: _struct_pb2.Value
    def __init__(self, flow_id: _Optional[str] = ..., segments: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ...) -> None: ...

class FailedSegment(_message.Message):
    __slots__ = ("object_id", "timerange", "error")
    OBJECT_ID_FIELD_NUMBER: _ClassVar[int]
    TIMERANGE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    object_id: str
    timerange: str
    error: Error
    def __init__(self, object_id: _Optional[str] = ..., timerange: _Optional[str] = ..., error: _Optional[_Union[Error, _Mapping]] = ...) -> None: ...

class CreateSegmentsResponse(_message.Message):
    __slots__ = ("failed_segments",)
    FAILED_SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    failed_segments: _containers.RepeatedCompositeFieldContainer[FailedSegment]
    def __init__(self, failed_segments: _Optional[_Iterable[_Union[FailedSegment, _Mapping]]] = ...) -> None: ...

class UploadSegmentHeader(_message.Message):
    __slots__ = ("flow_id", "timerange", "ts_offset", "object_timerange", "content_type", "key_frame_count")
    FLOW_ID_FIELD_NUMBER: _ClassVar[int]
    TIMERANGE_FIELD_NUMBER: _ClassVar[int]
    TS_OFFSET_FIELD_NUMBER: _ClassVar[int]
    OBJECT_TIMERANGE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    KEY_FRAME_COUNT_FIELD_NUMBER: _ClassVar[int]
    flow_id: str
    timerange: str
    ts_offset: str
    object_timerange: str
    content_type: str
    key_frame_count: int
    def __init__(self, flow_id: _Optional[str] = ..., timerange: _Optional[str] = ..., ts_offset: _Optional[str] = ..., object_timerange: _Optional[str] = ..., content_type: _Optional[str] = ..., key_frame_count: _Optional[int] = ...) -> None: ...

class UploadSegmentRequest(_message.Message):
    __slots__ = ("header", "data")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    header: UploadSegmentHeader
    data: bytes
    def __init__(self, header: _Optional[_Union[UploadSegmentHeader, _Mapping]] = ..., data: _Optional[bytes] = ...) -> None: ...

class DeleteSegmentsRequest(_message.Message):
    __slots__ = ("flow_id", "timerange", "object_id")
    FLOW_ID_FIELD_NUMBER: _ClassVar[int]
    TIMERANGE_FIELD_NUMBER: _ClassVar[int]
    OBJECT_ID_FIELD_NUMBER: _ClassVar[int]
    flow_id: str
    timerange: str
    object_id: str
    def __init__(self, flow_id: _Optional[str] = ..., timerange: _Optional[str] = ..., object_id: _Optional[str] = ...) -> None: ...

class DeleteSegmentsResponse(_message.Message):
    __slots__ = ("id", "flow_id", "timerange_to_delete", "timerange_remaining", "delete_flow", "created", "created_by", "updated", "expiry", "status", "error")
    ID_FIELD_NUMBER: _ClassVar[int]
    FLOW_ID_FIELD_NUMBER: _ClassVar[int]
    TIMERANGE_TO_DELETE_FIELD_NUMBER: _ClassVar[int]
    TIMERANGE_REMAINING_FIELD_NUMBER: _ClassVar[int]
    DELETE_FLOW_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    UPDATED_FIELD_NUMBER: _ClassVar[int]
    EXPIRY_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    id: str
    flow_id: str
    timerange_to_delete: str
    timerange_remaining: str
    delete_flow: bool
    created: str
    created_by: str
    updated: str
    expiry: str
    status: str
    error: Error
    def __init__(self, id: _Optional[str] = ..., flow_id: _Optional[str] = ..., timerange_to_delete: _Optional[str] = ..., timerange_remaining: _Optional[str] = ..., delete_flow: _Optional[bool] = ..., created: _Optional[str] = ..., created_by: _Optional[str] = ..., updated: _Optional[str] = ..., expiry: _Optional[str] = ..., status: _Optional[str] = ..., error: _Optional[_Union[Error, _Mapping]] = ...) -> None: ...

class AllocateStorageRequest(_message.Message):
    __slots__ = ("flow_id", "limit", "object_ids", "storage_id", "content_type", "presigned")
    FLOW_ID_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    OBJECT_IDS_FIELD_NUMBER: _ClassVar[int]
    STORAGE_ID_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    PRESIGNED_FIELD_NUMBER: _ClassVar[int]
    flow_id: str
    limit: int
    object_ids: _containers.RepeatedScalarFieldContainer[str]
    storage_id: str
    content_type: str
    presigned: bool
    def __init__(self, flow_id: _Optional[str] = ..., limit: _Optional[int] = ..., object_ids: _Optional[_Iterable[str]] = ..., storage_id: _Optional[str] = ..., content_type: _Optional[str] = ..., presigned: _Optional[bool] = ...) -> None: ...

class StorageObject(_message.Message):
    __slots__ = ("object_id", "put_url", "presigned")
    OBJECT_ID_FIELD_NUMBER: _ClassVar[int]
    PUT_URL_FIELD_NUMBER: _ClassVar[int]
    PRESIGNED_FIELD_NUMBER: _ClassVar[int]
    object_id: str
    put_url: _struct_pb2.Struct
    presigned: bool
    def __init__(self, object_id: _Optional[str] = ..., put_url: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., presigned: _Optional[bool] = ...) -> None: ...

class FlowStorage(_message.Message):
    __slots__ = ("media_objects",)
    MEDIA_OBJECTS_FIELD_NUMBER: _ClassVar[int]
    media_objects: _containers.RepeatedCompositeFieldContainer[StorageObject]
    def __init__(self, media_objects: _Optional[_Iterable[_Union[StorageObject, _Mapping]]] = ...) -> None: ...

class GetObjectRequest(_message.Message):
    __slots__ = ("object_id", "verbose_storage", "accept_get_urls", "accept_storage_ids", "presigned", "limit", "page", "flow_tag", "flow_tag_exists", "storage_backend_tag", "storage_backend_tag_exists")
    class FlowTagEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class FlowTagExistsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class StorageBackendTagEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class StorageBackendTagExistsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    OBJECT_ID_FIELD_NUMBER: _ClassVar[int]
    VERBOSE_STORAGE_FIELD_NUMBER: _ClassVar[int]
    ACCEPT_GET_URLS_FIELD_NUMBER: _ClassVar[int]
    ACCEPT_STORAGE_IDS_FIELD_NUMBER: _ClassVar[int]
    PRESIGNED_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    FLOW_TAG_FIELD_NUMBER: _ClassVar[int]
    FLOW_TAG_EXISTS_FIELD_NUMBER: _ClassVar[int]
    STORAGE_BACKEND_TAG_FIELD_NUMBER: _ClassVar[int]
    STORAGE_BACKEND_TAG_EXISTS_FIELD_NUMBER: _ClassVar[int]
    object_id: str
    verbose_storage: bool
    accept_get_urls: str
    accept_storage_ids: str
    presigned: bool
    limit: int
    page: str
    flow_tag: _containers.ScalarMap[str, str]
    flow_tag_exists: _containers.ScalarMap[str, str]
    storage_backend_tag: _containers.ScalarMap[str, str]
    storage_backend_tag_exists: _containers.ScalarMap[str, str]
    def __init__(self, object_id: _Optional[str] = ..., verbose_storage: _Optional[bool] = ..., accept_get_urls: _Optional[str] = ..., accept_storage_ids: _Optional[str] = ..., presigned: _Optional[bool] = ..., limit: _Optional[int] = ..., page: _Optional[str] = ..., flow_tag: _Optional[_Mapping[str, str]] = ..., flow_tag_exists: _Optional[_Mapping[str, str]] = ..., storage_backend_tag: _Optional[_Mapping[str, str]] = ..., storage_backend_tag_exists: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ObjectInitObject(_message.Message):
    __slots__ = ("id", "get_urls")
    ID_FIELD_NUMBER: _ClassVar[int]
    GET_URLS_FIELD_NUMBER: _ClassVar[int]
    id: str
    get_urls: _containers.RepeatedCompositeFieldContainer[GetUrl]
    def __init__(self, id: _Optional[str] = ..., get_urls: _Optional[_Iterable[_Union[GetUrl, _Mapping]]] = ...) -> None: ...

class Object(_message.Message):
    __slots__ = ("id", "referenced_by_flows", "first_referenced_by_flow", "timerange", "key_frame_count", "get_urls", "init_object")
    ID_FIELD_NUMBER: _ClassVar[int]
    REFERENCED_BY_FLOWS_FIELD_NUMBER: _ClassVar[int]
    FIRST_REFERENCED_BY_FLOW_FIELD_NUMBER: _ClassVar[int]
    TIMERANGE_FIELD_NUMBER: _ClassVar[int]
    KEY_FRAME_COUNT_FIELD_NUMBER: _ClassVar[int]
    GET_URLS_FIELD_NUMBER: _ClassVar[int]
    INIT_OBJECT_FIELD_NUMBER: _ClassVar[int]
    id: str
    referenced_by_flows: _containers.RepeatedScalarFieldContainer[str]
    first_referenced_by_flow: str
    timerange: str
    key_frame_count: int
    get_urls: _containers.RepeatedCompositeFieldContainer[GetUrl]
    init_object: ObjectInitObject
    def __init__(self, id: _Optional[str] = ..., referenced_by_flows: _Optional[_Iterable[str]] = ..., first_referenced_by_flow: _Optional[str] = ..., timerange: _Optional[str] = ..., key_frame_count: _Optional[int] = ..., get_urls: _Optional[_Iterable[_Union[GetUrl, _Mapping]]] = ..., init_object: _Optional[_Union[ObjectInitObject, _Mapping]] = ...) -> None: ...

class CreateObjectInstanceRequest(_message.Message):
    __slots__ = ("object_id", "instance")
    OBJECT_ID_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_FIELD_NUMBER: _ClassVar[int]
    object_id: str
    instance: _struct_pb2.Struct
    def __init__(self, object_id: _Optional[str] = ..., instance: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class CreateObjectInstanceResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DeleteObjectInstanceRequest(_message.Message):
    __slots__ = ("object_id", "storage_id", "label")
    OBJECT_ID_FIELD_NUMBER: _ClassVar[int]
    STORAGE_ID_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    object_id: str
    storage_id: str
    label: str
    def __init__(self, object_id: _Optional[str] = ..., storage_id: _Optional[str] = ..., label: _Optional[str] = ...) -> None: ...

class DeleteObjectInstanceResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class StorageBackend(_message.Message):
    __slots__ = ("id", "label", "store_type", "provider", "store_product", "default_storage")
    ID_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    STORE_TYPE_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    STORE_PRODUCT_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_STORAGE_FIELD_NUMBER: _ClassVar[int]
    id: str
    label: str
    store_type: str
    provider: str
    store_product: str
    default_storage: bool
    def __init__(self, id: _Optional[str] = ..., label: _Optional[str] = ..., store_type: _Optional[str] = ..., provider: _Optional[str] = ..., store_product: _Optional[str] = ..., default_storage: _Optional[bool] = ...) -> None: ...

class ListStorageBackendsRequest(_message.Message):
    __slots__ = ("reverse_order", "tag", "tag_exists", "limit", "page")
    class TagEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class TagExistsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    REVERSE_ORDER_FIELD_NUMBER: _ClassVar[int]
    TAG_FIELD_NUMBER: _ClassVar[int]
    TAG_EXISTS_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    reverse_order: bool
    tag: _containers.ScalarMap[str, str]
    tag_exists: _containers.ScalarMap[str, str]
    limit: int
    page: str
    def __init__(self, reverse_order: _Optional[bool] = ..., tag: _Optional[_Mapping[str, str]] = ..., tag_exists: _Optional[_Mapping[str, str]] = ..., limit: _Optional[int] = ..., page: _Optional[str] = ...) -> None: ...

class ListStorageBackendsResponse(_message.Message):
    __slots__ = ("storage_backends",)
    STORAGE_BACKENDS_FIELD_NUMBER: _ClassVar[int]
    storage_backends: _containers.RepeatedCompositeFieldContainer[StorageBackend]
    def __init__(self, storage_backends: _Optional[_Iterable[_Union[StorageBackend, _Mapping]]] = ...) -> None: ...

class FlowDeleteRequest(_message.Message):
    __slots__ = ("id", "flow_id", "timerange_to_delete", "timerange_remaining", "delete_flow", "created", "created_by", "updated", "expiry", "status", "error")
    ID_FIELD_NUMBER: _ClassVar[int]
    FLOW_ID_FIELD_NUMBER: _ClassVar[int]
    TIMERANGE_TO_DELETE_FIELD_NUMBER: _ClassVar[int]
    TIMERANGE_REMAINING_FIELD_NUMBER: _ClassVar[int]
    DELETE_FLOW_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    UPDATED_FIELD_NUMBER: _ClassVar[int]
    EXPIRY_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    id: str
    flow_id: str
    timerange_to_delete: str
    timerange_remaining: str
    delete_flow: bool
    created: str
    created_by: str
    updated: str
    expiry: str
    status: str
    error: Error
    def __init__(self, id: _Optional[str] = ..., flow_id: _Optional[str] = ..., timerange_to_delete: _Optional[str] = ..., timerange_remaining: _Optional[str] = ..., delete_flow: _Optional[bool] = ..., created: _Optional[str] = ..., created_by: _Optional[str] = ..., updated: _Optional[str] = ..., expiry: _Optional[str] = ..., status: _Optional[str] = ..., error: _Optional[_Union[Error, _Mapping]] = ...) -> None: ...

class ListFlowDeleteRequestsRequest(_message.Message):
    __slots__ = ("sort_by", "reverse_order", "limit", "page")
    SORT_BY_FIELD_NUMBER: _ClassVar[int]
    REVERSE_ORDER_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    sort_by: str
    reverse_order: bool
    limit: int
    page: str
    def __init__(self, sort_by: _Optional[str] = ..., reverse_order: _Optional[bool] = ..., limit: _Optional[int] = ..., page: _Optional[str] = ...) -> None: ...

class ListFlowDeleteRequestsResponse(_message.Message):
    __slots__ = ("requests", "next_page")
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_FIELD_NUMBER: _ClassVar[int]
    requests: _containers.RepeatedCompositeFieldContainer[FlowDeleteRequest]
    next_page: str
    def __init__(self, requests: _Optional[_Iterable[_Union[FlowDeleteRequest, _Mapping]]] = ..., next_page: _Optional[str] = ...) -> None: ...

class GetFlowDeleteRequestRequest(_message.Message):
    __slots__ = ("request_id",)
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    def __init__(self, request_id: _Optional[str] = ...) -> None: ...

class UploadObjectRequest(_message.Message):
    __slots__ = ("object_id", "expires", "signature", "body")
    OBJECT_ID_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    object_id: str
    expires: str
    signature: str
    body: _httpbody_pb2.HttpBody
    def __init__(self, object_id: _Optional[str] = ..., expires: _Optional[str] = ..., signature: _Optional[str] = ..., body: _Optional[_Union[_httpbody_pb2.HttpBody, _Mapping]] = ...) -> None: ...

class UploadObjectResponse(_message.Message):
    __slots__ = ("size",)
    SIZE_FIELD_NUMBER: _ClassVar[int]
    size: int
    def __init__(self, size: _Optional[int] = ...) -> None: ...

class DownloadObjectRequest(_message.Message):
    __slots__ = ("object_id", "expires", "signature")
    OBJECT_ID_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    object_id: str
    expires: str
    signature: str
    def __init__(self, object_id: _Optional[str] = ..., expires: _Optional[str] = ..., signature: _Optional[str] = ...) -> None: ...

class Webhook(_message.Message):
    __slots__ = ("id", "url", "api_key_name", "api_key_value", "events", "flow_ids", "source_ids", "flow_collected_by_ids", "source_collected_by_ids", "accept_get_urls", "accept_storage_ids", "presigned", "verbose_storage", "include_object_timerange", "tags", "status", "error")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _struct_pb2.Value
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    API_KEY_NAME_FIELD_NUMBER: _ClassVar[int]
    API_KEY_VALUE_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    FLOW_IDS_FIELD_NUMBER: _ClassVar[int]
    SOURCE_IDS_FIELD_NUMBER: _ClassVar[int]
    FLOW_COLLECTED_BY_IDS_FIELD_NUMBER: _ClassVar[int]
    SOURCE_COLLECTED_BY_IDS_FIELD_NUMBER: _ClassVar[int]
    ACCEPT_GET_URLS_FIELD_NUMBER: _ClassVar[int]
    ACCEPT_STORAGE_IDS_FIELD_NUMBER: _ClassVar[int]
    PRESIGNED_FIELD_NUMBER: _ClassVar[int]
    VERBOSE_STORAGE_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_OBJECT_TIMERANGE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    id: str
    url: str
    api_key_name: str
    api_key_value: str
    events: _containers.RepeatedScalarFieldContainer[str]
    flow_ids: _struct_pb2.ListValue
    source_ids: _struct_pb2.ListValue
    flow_collected_by_ids: _struct_pb2.ListValue
    source_collected_by_ids: _struct_pb2.ListValue
    accept_get_urls: _struct_pb2.ListValue
    accept_storage_ids: _struct_pb2.ListValue
    presigned: bool
    verbose_storage: bool
    include_object_timerange: bool
    tags: _containers.MessageMap[str, _struct_pb2.Value]
    status: str
    error: Error
    def __init__(self, id: _Optional[str] = ..., url: _Optional[str] = ..., api_key_name: _Optional[str] = ..., api_key_value: _Optional[str] = ..., events: _Optional[_Iterable[str]] = ..., flow_ids: _Optional[_Union[_struct_pb2.ListValue, _Mapping]] = ..., source_ids: _Optional[_Union[_struct_pb2.ListValue, _Mapping]] = ..., flow_collected_by_ids: _Optional[_Union[_struct_pb2.ListValue, _Mapping]] = ..., source_collected_by_ids: _Optional[_Union[_struct_pb2.ListValue, _Mapping]] = ..., accept_get_urls: _Optional[_Union[_struct_pb2.ListValue, _Mapping]] = ..., accept_storage_ids: _Optional[_Union[_struct_pb2.ListValue, _Mapping]] = ..., presigned: _Optional[bool] = ..., verbose_storage: _Optional[bool] = ..., include_object_timerange: _Optional[bool] = ..., tags: _Optional[_Mapping[str, _struct_pb2.Value]] = ..., status: _Optional[str] = ..., error: _Optional[_Union[Error, _Mapping]] = ...) -> None: ...

class CreateWebhookRequest(_message.Message):
    __slots__ = ("webhook",)
    WEBHOOK_FIELD_NUMBER: _ClassVar[int]
    webhook: Webhook
    def __init__(self, webhook: _Optional[_Union[Webhook, _Mapping]] = ...) -> None: ...

class CreateWebhookRestRequest(_message.Message):
    __slots__ = ("webhook",)
    WEBHOOK_FIELD_NUMBER: _ClassVar[int]
    webhook: _struct_pb2.Struct
    def __init__(self, webhook: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class ListWebhooksRequest(_message.Message):
    __slots__ = ("reverse_order", "tag", "tag_exists", "limit", "page")
    class TagEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class TagExistsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    REVERSE_ORDER_FIELD_NUMBER: _ClassVar[int]
    TAG_FIELD_NUMBER: _ClassVar[int]
    TAG_EXISTS_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    reverse_order: bool
    tag: _containers.ScalarMap[str, str]
    tag_exists: _containers.ScalarMap[str, str]
    limit: int
    page: str
    def __init__(self, reverse_order: _Optional[bool] = ..., tag: _Optional[_Mapping[str, str]] = ..., tag_exists: _Optional[_Mapping[str, str]] = ..., limit: _Optional[int] = ..., page: _Optional[str] = ...) -> None: ...

class ListWebhooksResponse(_message.Message):
    __slots__ = ("webhooks", "next_page")
    WEBHOOKS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_FIELD_NUMBER: _ClassVar[int]
    webhooks: _containers.RepeatedCompositeFieldContainer[Webhook]
    next_page: str
    def __init__(self, webhooks: _Optional[_Iterable[_Union[Webhook, _Mapping]]] = ..., next_page: _Optional[str] = ...) -> None: ...

class GetWebhookRequest(_message.Message):
    __slots__ = ("webhook_id",)
    WEBHOOK_ID_FIELD_NUMBER: _ClassVar[int]
    webhook_id: str
    def __init__(self, webhook_id: _Optional[str] = ...) -> None: ...

class UpdateWebhookRequest(_message.Message):
    __slots__ = ("webhook_id", "webhook")
    WEBHOOK_ID_FIELD_NUMBER: _ClassVar[int]
    WEBHOOK_FIELD_NUMBER: _ClassVar[int]
    webhook_id: str
    webhook: Webhook
    def __init__(self, webhook_id: _Optional[str] = ..., webhook: _Optional[_Union[Webhook, _Mapping]] = ...) -> None: ...

class UpdateWebhookRestRequest(_message.Message):
    __slots__ = ("webhook_id", "webhook")
    WEBHOOK_ID_FIELD_NUMBER: _ClassVar[int]
    WEBHOOK_FIELD_NUMBER: _ClassVar[int]
    webhook_id: str
    webhook: _struct_pb2.Struct
    def __init__(self, webhook_id: _Optional[str] = ..., webhook: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class DeleteWebhookRequest(_message.Message):
    __slots__ = ("webhook_id",)
    WEBHOOK_ID_FIELD_NUMBER: _ClassVar[int]
    webhook_id: str
    def __init__(self, webhook_id: _Optional[str] = ...) -> None: ...

class DeleteWebhookResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
