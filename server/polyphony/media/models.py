"""ORM models of the music library."""

from __future__ import annotations

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from polyphony.core.db import Base


class Album(Base):
    __tablename__ = "media_albums"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(600), unique=True)  # album + album artist, for grouping
    title: Mapped[str] = mapped_column(String(500), index=True)
    artist: Mapped[str] = mapped_column(String(500), index=True)
    tracktotal: Mapped[int | None] = mapped_column(Integer)
    disctotal: Mapped[int | None] = mapped_column(Integer)
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    month: Mapped[int | None] = mapped_column(Integer)
    day: Mapped[int | None] = mapped_column(Integer)
    genre: Mapped[str | None] = mapped_column(String(500))
    release_mbid: Mapped[str | None] = mapped_column(String(64))
    release_group_mbid: Mapped[str | None] = mapped_column(String(64))


class Artist(Base):
    __tablename__ = "media_artists"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(500), unique=True)
    artist_mbid: Mapped[str | None] = mapped_column(String(64))


class Track(Base):
    __tablename__ = "media_tracks"

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(Text, unique=True)
    file_size: Mapped[int] = mapped_column(BigInteger)
    mtime_ns: Mapped[int] = mapped_column(BigInteger)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    album_id: Mapped[int | None] = mapped_column(ForeignKey("media_albums.id", ondelete="SET NULL"), index=True)

    title: Mapped[str] = mapped_column(String(500), index=True)
    artist: Mapped[str] = mapped_column(String(500), index=True)
    album: Mapped[str | None] = mapped_column(String(500), index=True)
    track: Mapped[int | None] = mapped_column(Integer)
    tracktotal: Mapped[int | None] = mapped_column(Integer)
    disc: Mapped[int | None] = mapped_column(Integer)
    disctotal: Mapped[int | None] = mapped_column(Integer)
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    month: Mapped[int | None] = mapped_column(Integer)
    day: Mapped[int | None] = mapped_column(Integer)
    bpm: Mapped[int | None] = mapped_column(Integer)
    genre: Mapped[str | None] = mapped_column(String(500), index=True)
    recording_mbid: Mapped[str | None] = mapped_column(String(64))
    track_mbid: Mapped[str | None] = mapped_column(String(64))
    composer: Mapped[str | None] = mapped_column(String(500))
    albumartist: Mapped[str | None] = mapped_column(String(500), index=True)
    comments: Mapped[str | None] = mapped_column(Text)
    mimetype: Mapped[str] = mapped_column(String(100))
    duration: Mapped[float | None] = mapped_column(Float)
    framerate: Mapped[int | None] = mapped_column(Integer)
    framecount: Mapped[int | None] = mapped_column(Integer)
    channels: Mapped[int | None] = mapped_column(Integer)
    bitrate: Mapped[int | None] = mapped_column(Integer)
    bitdepth: Mapped[int | None] = mapped_column(Integer)


class TrackArtist(Base):
    """The artists of a track, in tag order."""

    __tablename__ = "media_track_artists"

    track_id: Mapped[int] = mapped_column(ForeignKey("media_tracks.id", ondelete="CASCADE"), primary_key=True)
    artist_id: Mapped[int] = mapped_column(ForeignKey("media_artists.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_media_track_artists_artist", "artist_id", "track_id"),)


class Image(Base):
    """Cover art: a folder image (cover/folder/front .jpg/.png) or a picture embedded in a track."""

    __tablename__ = "media_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    album_id: Mapped[int | None] = mapped_column(ForeignKey("media_albums.id", ondelete="CASCADE"), index=True)
    track_id: Mapped[int | None] = mapped_column(ForeignKey("media_tracks.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(Text)  # the image file, or the audio file it is embedded in
    embedded_index: Mapped[int] = mapped_column(Integer, default=-1)  # -1: a file of its own
    sha256: Mapped[str] = mapped_column(String(64))
    role: Mapped[str | None] = mapped_column(String(50))
    mimetype: Mapped[str] = mapped_column(String(100))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_media_images_album_sha", "album_id", "sha256", unique=True),)


class LibraryState(Base):
    """One row: a counter bumped whenever a scan changes the library (response caches key on it)."""

    __tablename__ = "media_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    generation: Mapped[int] = mapped_column(BigInteger, default=0)
