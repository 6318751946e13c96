"""The media service: an AURA 0.2 music library (tracks, albums, artists, images, audio)."""
