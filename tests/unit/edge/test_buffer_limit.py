"""Envoy answers a bare 500 (and the server logs nothing) when a streamed answer's gRPC message is larger
than the edge's per-connection buffer limit: every byte-streaming answer's chunk must fit in it."""

from polyphony.audio import transcode
from polyphony.core import objects
from polyphony.edge.envoy_config import buffer_limit
from polyphony.media import audio
from polyphony.trigger import files

GRPC_FRAME_HEADER = 5


def test_a_streamed_chunk_fits_the_smallest_edge_buffer() -> None:
    smallest = buffer_limit(1)
    for chunk in (objects.CHUNK, files.CHUNK, audio.CHUNK, transcode.CHUNK):
        assert chunk + GRPC_FRAME_HEADER + 64 <= smallest  # an HttpBody message: data, content type, tags


def test_a_large_encoder_write_is_streamed_in_chunks() -> None:
    import queue

    out: queue.Queue[bytes | BaseException | None] = queue.Queue()
    sink = transcode._ForwardSink(out)
    sink.write(b"x" * (3 * transcode.CHUNK + 7))  # one libsndfile block of PCM can be larger than a chunk
    sink.flush()
    sizes = []
    while not out.empty():
        item = out.get()
        assert isinstance(item, bytes)
        sizes.append(len(item))
    assert sizes == [transcode.CHUNK] * 3 + [7]
