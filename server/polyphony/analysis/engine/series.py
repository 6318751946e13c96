"""Where an analyzer's frame-wise values go while it runs: a growing series per (result id, field).

In memory (`MemoryOutput`, the default: tests and benchmarks get numpy arrays back) or appended, block
by block, to resizable chunked datasets of an HDF5 container on disk (`HDF5Output`, what tasks use),
so a long file never holds its frame-wise results in memory. The HDF5 layout is the container's own:
`/<result id>/data_object/<field>`; `containers.write_results` then adds the metadata around them.
"""

from __future__ import annotations

from typing import Any, Protocol

import h5py
import numpy as np

Array = np.ndarray
CHUNK_BYTES = 256 * 1024


class Series(Protocol):
    def append(self, values: Array) -> None: ...

    def result(self, empty: Array) -> Any:
        """All values appended so far (a numpy array or an HDF5 dataset), or `empty` if none were."""
        ...


class Output(Protocol):
    def series(self, rid: str, field: str) -> Series: ...


class MemorySeries:
    def __init__(self) -> None:
        self.chunks: list[Array] = []

    def append(self, values: Array) -> None:
        self.chunks.append(values)

    def result(self, empty: Array) -> Array:
        return np.concatenate(self.chunks) if self.chunks else empty


class MemoryOutput:
    def series(self, rid: str, field: str) -> Series:
        return MemorySeries()


class HDF5Series:
    """A dataset of shape (frames, *row) grown along its first axis; created with the first block's dtype."""

    def __init__(self, file: h5py.File, rid: str, field: str) -> None:
        self.file, self.path = file, f"{rid}/data_object/{field}"
        self.dataset: h5py.Dataset | None = None

    def append(self, values: Array) -> None:
        values = np.asarray(values)
        if values.ndim == 0:
            values = values.reshape(1)
        if self.dataset is None:
            row = values.shape[1:]
            row_bytes = max(1, int(np.prod(row, dtype=np.int64)) * values.dtype.itemsize)
            rows = max(1, CHUNK_BYTES // row_bytes)
            self.dataset = self.file.create_dataset(
                self.path, shape=(0, *row), maxshape=(None, *row), dtype=values.dtype, chunks=(rows, *row)
            )
        if values.shape[0]:
            start = self.dataset.shape[0]
            self.dataset.resize(start + values.shape[0], axis=0)
            self.dataset[start:] = values

    def result(self, empty: Array) -> Any:
        return self.dataset if self.dataset is not None else empty


class HDF5Output:
    """Frame-wise series written straight into the container file at `file` (open for writing)."""

    def __init__(self, file: h5py.File) -> None:
        self.file = file

    def series(self, rid: str, field: str) -> Series:
        return HDF5Series(self.file, rid, field)
