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

class ResourceIdentifier(_message.Message):
    __slots__ = ("type", "id")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    type: str
    id: str
    def __init__(self, type: _Optional[str] = ..., id: _Optional[str] = ...) -> None: ...

class Relationship(_message.Message):
    __slots__ = ("data",)
    DATA_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[ResourceIdentifier]
    def __init__(self, data: _Optional[_Iterable[_Union[ResourceIdentifier, _Mapping]]] = ...) -> None: ...

class Links(_message.Message):
    __slots__ = ("next",)
    NEXT_FIELD_NUMBER: _ClassVar[int]
    next: str
    def __init__(self, next: _Optional[str] = ...) -> None: ...

class IncludedResource(_message.Message):
    __slots__ = ("type", "id", "attributes", "relationships")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIPS_FIELD_NUMBER: _ClassVar[int]
    type: str
    id: str
    attributes: _struct_pb2.Struct
    relationships: _struct_pb2.Struct
    def __init__(self, type: _Optional[str] = ..., id: _Optional[str] = ..., attributes: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., relationships: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class GetServerRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ServerAttributes(_message.Message):
    __slots__ = ("aura_version", "server", "server_version", "auth_required", "features")
    AURA_VERSION_FIELD_NUMBER: _ClassVar[int]
    SERVER_FIELD_NUMBER: _ClassVar[int]
    SERVER_VERSION_FIELD_NUMBER: _ClassVar[int]
    AUTH_REQUIRED_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    aura_version: str
    server: str
    server_version: str
    auth_required: bool
    features: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, aura_version: _Optional[str] = ..., server: _Optional[str] = ..., server_version: _Optional[str] = ..., auth_required: _Optional[bool] = ..., features: _Optional[_Iterable[str]] = ...) -> None: ...

class ServerResource(_message.Message):
    __slots__ = ("type", "id", "attributes")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    type: str
    id: str
    attributes: ServerAttributes
    def __init__(self, type: _Optional[str] = ..., id: _Optional[str] = ..., attributes: _Optional[_Union[ServerAttributes, _Mapping]] = ...) -> None: ...

class GetServerResponse(_message.Message):
    __slots__ = ("data",)
    DATA_FIELD_NUMBER: _ClassVar[int]
    data: ServerResource
    def __init__(self, data: _Optional[_Union[ServerResource, _Mapping]] = ...) -> None: ...

class TrackAttributes(_message.Message):
    __slots__ = ("title", "artist", "album", "track", "tracktotal", "disc", "disctotal", "year", "month", "day", "bpm", "genre", "recording_mbid", "track_mbid", "composer", "albumartist", "comments", "mimetype", "duration", "framerate", "framecount", "channels", "bitrate", "bitdepth", "size")
    TITLE_FIELD_NUMBER: _ClassVar[int]
    ARTIST_FIELD_NUMBER: _ClassVar[int]
    ALBUM_FIELD_NUMBER: _ClassVar[int]
    TRACK_FIELD_NUMBER: _ClassVar[int]
    TRACKTOTAL_FIELD_NUMBER: _ClassVar[int]
    DISC_FIELD_NUMBER: _ClassVar[int]
    DISCTOTAL_FIELD_NUMBER: _ClassVar[int]
    YEAR_FIELD_NUMBER: _ClassVar[int]
    MONTH_FIELD_NUMBER: _ClassVar[int]
    DAY_FIELD_NUMBER: _ClassVar[int]
    BPM_FIELD_NUMBER: _ClassVar[int]
    GENRE_FIELD_NUMBER: _ClassVar[int]
    RECORDING_MBID_FIELD_NUMBER: _ClassVar[int]
    TRACK_MBID_FIELD_NUMBER: _ClassVar[int]
    COMPOSER_FIELD_NUMBER: _ClassVar[int]
    ALBUMARTIST_FIELD_NUMBER: _ClassVar[int]
    COMMENTS_FIELD_NUMBER: _ClassVar[int]
    MIMETYPE_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    FRAMERATE_FIELD_NUMBER: _ClassVar[int]
    FRAMECOUNT_FIELD_NUMBER: _ClassVar[int]
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    BITRATE_FIELD_NUMBER: _ClassVar[int]
    BITDEPTH_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    title: str
    artist: str
    album: str
    track: int
    tracktotal: int
    disc: int
    disctotal: int
    year: int
    month: int
    day: int
    bpm: int
    genre: str
    recording_mbid: str
    track_mbid: str
    composer: str
    albumartist: str
    comments: str
    mimetype: str
    duration: float
    framerate: int
    framecount: int
    channels: int
    bitrate: int
    bitdepth: int
    size: int
    def __init__(self, title: _Optional[str] = ..., artist: _Optional[str] = ..., album: _Optional[str] = ..., track: _Optional[int] = ..., tracktotal: _Optional[int] = ..., disc: _Optional[int] = ..., disctotal: _Optional[int] = ..., year: _Optional[int] = ..., month: _Optional[int] = ..., day: _Optional[int] = ..., bpm: _Optional[int] = ..., genre: _Optional[str] = ..., recording_mbid: _Optional[str] = ..., track_mbid: _Optional[str] = ..., composer: _Optional[str] = ..., albumartist: _Optional[str] = ..., comments: _Optional[str] = ..., mimetype: _Optional[str] = ..., duration: _Optional[float] = ..., framerate: _Optional[int] = ..., framecount: _Optional[int] = ..., channels: _Optional[int] = ..., bitrate: _Optional[int] = ..., bitdepth: _Optional[int] = ..., size: _Optional[int] = ...) -> None: ...

class TrackRelationships(_message.Message):
    __slots__ = ("albums", "artists", "images")
    ALBUMS_FIELD_NUMBER: _ClassVar[int]
    ARTISTS_FIELD_NUMBER: _ClassVar[int]
    IMAGES_FIELD_NUMBER: _ClassVar[int]
    albums: Relationship
    artists: Relationship
    images: Relationship
    def __init__(self, albums: _Optional[_Union[Relationship, _Mapping]] = ..., artists: _Optional[_Union[Relationship, _Mapping]] = ..., images: _Optional[_Union[Relationship, _Mapping]] = ...) -> None: ...

class TrackResource(_message.Message):
    __slots__ = ("type", "id", "attributes", "relationships")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIPS_FIELD_NUMBER: _ClassVar[int]
    type: str
    id: str
    attributes: TrackAttributes
    relationships: TrackRelationships
    def __init__(self, type: _Optional[str] = ..., id: _Optional[str] = ..., attributes: _Optional[_Union[TrackAttributes, _Mapping]] = ..., relationships: _Optional[_Union[TrackRelationships, _Mapping]] = ...) -> None: ...

class ListTracksRequest(_message.Message):
    __slots__ = ("limit", "page", "sort", "include", "filter")
    class FilterEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    limit: int
    page: str
    sort: str
    include: str
    filter: _containers.ScalarMap[str, str]
    def __init__(self, limit: _Optional[int] = ..., page: _Optional[str] = ..., sort: _Optional[str] = ..., include: _Optional[str] = ..., filter: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ListTracksResponse(_message.Message):
    __slots__ = ("data", "included", "links")
    DATA_FIELD_NUMBER: _ClassVar[int]
    INCLUDED_FIELD_NUMBER: _ClassVar[int]
    LINKS_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[TrackResource]
    included: _containers.RepeatedCompositeFieldContainer[IncludedResource]
    links: Links
    def __init__(self, data: _Optional[_Iterable[_Union[TrackResource, _Mapping]]] = ..., included: _Optional[_Iterable[_Union[IncludedResource, _Mapping]]] = ..., links: _Optional[_Union[Links, _Mapping]] = ...) -> None: ...

class GetTrackRequest(_message.Message):
    __slots__ = ("id", "include")
    ID_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_FIELD_NUMBER: _ClassVar[int]
    id: str
    include: str
    def __init__(self, id: _Optional[str] = ..., include: _Optional[str] = ...) -> None: ...

class GetTrackResponse(_message.Message):
    __slots__ = ("data", "included")
    DATA_FIELD_NUMBER: _ClassVar[int]
    INCLUDED_FIELD_NUMBER: _ClassVar[int]
    data: TrackResource
    included: _containers.RepeatedCompositeFieldContainer[IncludedResource]
    def __init__(self, data: _Optional[_Union[TrackResource, _Mapping]] = ..., included: _Optional[_Iterable[_Union[IncludedResource, _Mapping]]] = ...) -> None: ...

class GetTrackAudioRequest(_message.Message):
    __slots__ = ("id", "accept", "range")
    ID_FIELD_NUMBER: _ClassVar[int]
    ACCEPT_FIELD_NUMBER: _ClassVar[int]
    RANGE_FIELD_NUMBER: _ClassVar[int]
    id: str
    accept: str
    range: str
    def __init__(self, id: _Optional[str] = ..., accept: _Optional[str] = ..., range: _Optional[str] = ...) -> None: ...

class AlbumAttributes(_message.Message):
    __slots__ = ("title", "artist", "tracktotal", "disctotal", "year", "month", "day", "genre", "release_mbid", "release_group_mbid")
    TITLE_FIELD_NUMBER: _ClassVar[int]
    ARTIST_FIELD_NUMBER: _ClassVar[int]
    TRACKTOTAL_FIELD_NUMBER: _ClassVar[int]
    DISCTOTAL_FIELD_NUMBER: _ClassVar[int]
    YEAR_FIELD_NUMBER: _ClassVar[int]
    MONTH_FIELD_NUMBER: _ClassVar[int]
    DAY_FIELD_NUMBER: _ClassVar[int]
    GENRE_FIELD_NUMBER: _ClassVar[int]
    RELEASE_MBID_FIELD_NUMBER: _ClassVar[int]
    RELEASE_GROUP_MBID_FIELD_NUMBER: _ClassVar[int]
    title: str
    artist: str
    tracktotal: int
    disctotal: int
    year: int
    month: int
    day: int
    genre: str
    release_mbid: str
    release_group_mbid: str
    def __init__(self, title: _Optional[str] = ..., artist: _Optional[str] = ..., tracktotal: _Optional[int] = ..., disctotal: _Optional[int] = ..., year: _Optional[int] = ..., month: _Optional[int] = ..., day: _Optional[int] = ..., genre: _Optional[str] = ..., release_mbid: _Optional[str] = ..., release_group_mbid: _Optional[str] = ...) -> None: ...

class AlbumRelationships(_message.Message):
    __slots__ = ("tracks", "artists", "images")
    TRACKS_FIELD_NUMBER: _ClassVar[int]
    ARTISTS_FIELD_NUMBER: _ClassVar[int]
    IMAGES_FIELD_NUMBER: _ClassVar[int]
    tracks: Relationship
    artists: Relationship
    images: Relationship
    def __init__(self, tracks: _Optional[_Union[Relationship, _Mapping]] = ..., artists: _Optional[_Union[Relationship, _Mapping]] = ..., images: _Optional[_Union[Relationship, _Mapping]] = ...) -> None: ...

class AlbumResource(_message.Message):
    __slots__ = ("type", "id", "attributes", "relationships")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIPS_FIELD_NUMBER: _ClassVar[int]
    type: str
    id: str
    attributes: AlbumAttributes
    relationships: AlbumRelationships
    def __init__(self, type: _Optional[str] = ..., id: _Optional[str] = ..., attributes: _Optional[_Union[AlbumAttributes, _Mapping]] = ..., relationships: _Optional[_Union[AlbumRelationships, _Mapping]] = ...) -> None: ...

class ListAlbumsRequest(_message.Message):
    __slots__ = ("limit", "page", "sort", "include", "filter")
    class FilterEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    limit: int
    page: str
    sort: str
    include: str
    filter: _containers.ScalarMap[str, str]
    def __init__(self, limit: _Optional[int] = ..., page: _Optional[str] = ..., sort: _Optional[str] = ..., include: _Optional[str] = ..., filter: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ListAlbumsResponse(_message.Message):
    __slots__ = ("data", "included", "links")
    DATA_FIELD_NUMBER: _ClassVar[int]
    INCLUDED_FIELD_NUMBER: _ClassVar[int]
    LINKS_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[AlbumResource]
    included: _containers.RepeatedCompositeFieldContainer[IncludedResource]
    links: Links
    def __init__(self, data: _Optional[_Iterable[_Union[AlbumResource, _Mapping]]] = ..., included: _Optional[_Iterable[_Union[IncludedResource, _Mapping]]] = ..., links: _Optional[_Union[Links, _Mapping]] = ...) -> None: ...

class GetAlbumRequest(_message.Message):
    __slots__ = ("id", "include")
    ID_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_FIELD_NUMBER: _ClassVar[int]
    id: str
    include: str
    def __init__(self, id: _Optional[str] = ..., include: _Optional[str] = ...) -> None: ...

class GetAlbumResponse(_message.Message):
    __slots__ = ("data", "included")
    DATA_FIELD_NUMBER: _ClassVar[int]
    INCLUDED_FIELD_NUMBER: _ClassVar[int]
    data: AlbumResource
    included: _containers.RepeatedCompositeFieldContainer[IncludedResource]
    def __init__(self, data: _Optional[_Union[AlbumResource, _Mapping]] = ..., included: _Optional[_Iterable[_Union[IncludedResource, _Mapping]]] = ...) -> None: ...

class ArtistAttributes(_message.Message):
    __slots__ = ("name", "artist_mbid")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ARTIST_MBID_FIELD_NUMBER: _ClassVar[int]
    name: str
    artist_mbid: str
    def __init__(self, name: _Optional[str] = ..., artist_mbid: _Optional[str] = ...) -> None: ...

class ArtistRelationships(_message.Message):
    __slots__ = ("tracks", "albums", "images")
    TRACKS_FIELD_NUMBER: _ClassVar[int]
    ALBUMS_FIELD_NUMBER: _ClassVar[int]
    IMAGES_FIELD_NUMBER: _ClassVar[int]
    tracks: Relationship
    albums: Relationship
    images: Relationship
    def __init__(self, tracks: _Optional[_Union[Relationship, _Mapping]] = ..., albums: _Optional[_Union[Relationship, _Mapping]] = ..., images: _Optional[_Union[Relationship, _Mapping]] = ...) -> None: ...

class ArtistResource(_message.Message):
    __slots__ = ("type", "id", "attributes", "relationships")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIPS_FIELD_NUMBER: _ClassVar[int]
    type: str
    id: str
    attributes: ArtistAttributes
    relationships: ArtistRelationships
    def __init__(self, type: _Optional[str] = ..., id: _Optional[str] = ..., attributes: _Optional[_Union[ArtistAttributes, _Mapping]] = ..., relationships: _Optional[_Union[ArtistRelationships, _Mapping]] = ...) -> None: ...

class ListArtistsRequest(_message.Message):
    __slots__ = ("limit", "page", "sort", "include", "filter")
    class FilterEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    limit: int
    page: str
    sort: str
    include: str
    filter: _containers.ScalarMap[str, str]
    def __init__(self, limit: _Optional[int] = ..., page: _Optional[str] = ..., sort: _Optional[str] = ..., include: _Optional[str] = ..., filter: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ListArtistsResponse(_message.Message):
    __slots__ = ("data", "included", "links")
    DATA_FIELD_NUMBER: _ClassVar[int]
    INCLUDED_FIELD_NUMBER: _ClassVar[int]
    LINKS_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[ArtistResource]
    included: _containers.RepeatedCompositeFieldContainer[IncludedResource]
    links: Links
    def __init__(self, data: _Optional[_Iterable[_Union[ArtistResource, _Mapping]]] = ..., included: _Optional[_Iterable[_Union[IncludedResource, _Mapping]]] = ..., links: _Optional[_Union[Links, _Mapping]] = ...) -> None: ...

class GetArtistRequest(_message.Message):
    __slots__ = ("id", "include")
    ID_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_FIELD_NUMBER: _ClassVar[int]
    id: str
    include: str
    def __init__(self, id: _Optional[str] = ..., include: _Optional[str] = ...) -> None: ...

class GetArtistResponse(_message.Message):
    __slots__ = ("data", "included")
    DATA_FIELD_NUMBER: _ClassVar[int]
    INCLUDED_FIELD_NUMBER: _ClassVar[int]
    data: ArtistResource
    included: _containers.RepeatedCompositeFieldContainer[IncludedResource]
    def __init__(self, data: _Optional[_Union[ArtistResource, _Mapping]] = ..., included: _Optional[_Iterable[_Union[IncludedResource, _Mapping]]] = ...) -> None: ...

class ImageAttributes(_message.Message):
    __slots__ = ("role", "mimetype", "width", "height", "size")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    MIMETYPE_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    role: str
    mimetype: str
    width: int
    height: int
    size: int
    def __init__(self, role: _Optional[str] = ..., mimetype: _Optional[str] = ..., width: _Optional[int] = ..., height: _Optional[int] = ..., size: _Optional[int] = ...) -> None: ...

class ImageRelationships(_message.Message):
    __slots__ = ("tracks", "albums", "artists")
    TRACKS_FIELD_NUMBER: _ClassVar[int]
    ALBUMS_FIELD_NUMBER: _ClassVar[int]
    ARTISTS_FIELD_NUMBER: _ClassVar[int]
    tracks: Relationship
    albums: Relationship
    artists: Relationship
    def __init__(self, tracks: _Optional[_Union[Relationship, _Mapping]] = ..., albums: _Optional[_Union[Relationship, _Mapping]] = ..., artists: _Optional[_Union[Relationship, _Mapping]] = ...) -> None: ...

class ImageResource(_message.Message):
    __slots__ = ("type", "id", "attributes", "relationships")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIPS_FIELD_NUMBER: _ClassVar[int]
    type: str
    id: str
    attributes: ImageAttributes
    relationships: ImageRelationships
    def __init__(self, type: _Optional[str] = ..., id: _Optional[str] = ..., attributes: _Optional[_Union[ImageAttributes, _Mapping]] = ..., relationships: _Optional[_Union[ImageRelationships, _Mapping]] = ...) -> None: ...

class GetImageRequest(_message.Message):
    __slots__ = ("id", "include")
    ID_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_FIELD_NUMBER: _ClassVar[int]
    id: str
    include: str
    def __init__(self, id: _Optional[str] = ..., include: _Optional[str] = ...) -> None: ...

class GetImageResponse(_message.Message):
    __slots__ = ("data", "included")
    DATA_FIELD_NUMBER: _ClassVar[int]
    INCLUDED_FIELD_NUMBER: _ClassVar[int]
    data: ImageResource
    included: _containers.RepeatedCompositeFieldContainer[IncludedResource]
    def __init__(self, data: _Optional[_Union[ImageResource, _Mapping]] = ..., included: _Optional[_Iterable[_Union[IncludedResource, _Mapping]]] = ...) -> None: ...

class GetImageFileRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ScanLibraryRequest(_message.Message):
    __slots__ = ("paths", "keep_missing")
    PATHS_FIELD_NUMBER: _ClassVar[int]
    KEEP_MISSING_FIELD_NUMBER: _ClassVar[int]
    paths: _containers.RepeatedScalarFieldContainer[str]
    keep_missing: bool
    def __init__(self, paths: _Optional[_Iterable[str]] = ..., keep_missing: _Optional[bool] = ...) -> None: ...

class ScanLibraryResponse(_message.Message):
    __slots__ = ("done", "total", "current", "summary")
    DONE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    CURRENT_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    done: int
    total: int
    current: str
    summary: ScanSummary
    def __init__(self, done: _Optional[int] = ..., total: _Optional[int] = ..., current: _Optional[str] = ..., summary: _Optional[_Union[ScanSummary, _Mapping]] = ...) -> None: ...

class ScanSummary(_message.Message):
    __slots__ = ("added", "updated", "moved", "unchanged", "removed", "failed")
    ADDED_FIELD_NUMBER: _ClassVar[int]
    UPDATED_FIELD_NUMBER: _ClassVar[int]
    MOVED_FIELD_NUMBER: _ClassVar[int]
    UNCHANGED_FIELD_NUMBER: _ClassVar[int]
    REMOVED_FIELD_NUMBER: _ClassVar[int]
    FAILED_FIELD_NUMBER: _ClassVar[int]
    added: int
    updated: int
    moved: int
    unchanged: int
    removed: int
    failed: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, added: _Optional[int] = ..., updated: _Optional[int] = ..., moved: _Optional[int] = ..., unchanged: _Optional[int] = ..., removed: _Optional[int] = ..., failed: _Optional[_Iterable[str]] = ...) -> None: ...
