"""Sub-processors (TimeSide `SubProcessor`): the named results each analyzer emits (`level.max`, ...).

The result ids of an analyzer are what it returns, so they are discovered by running every installed
processor once with its default parameters on a short synthetic signal (a tone burst over noise);
the ids are stable for a processor version. UUIDs are derived (uuid5) from pid, version and id.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from polyphony.analysis.engine.pipeline import analyze_array
from polyphony.analysis.engine.processors import PROCESSORS, Processor
from polyphony.core.errors import NotFound

_NAMESPACE = uuid.UUID("5d0f3c55-8c1e-4f5b-9f57-7a3c2b1e0a11")
NOT_FOUND = "No SubProcessor matches the given query."


@dataclass(frozen=True)
class SubProcessor:
    sub_processor_id: str
    name: str
    processor: Processor

    @property
    def uuid(self) -> str:
        key = f"{self.processor.pid}:{self.processor.version}:{self.sub_processor_id}"
        return str(uuid.uuid5(_NAMESPACE, key))


def _probe_signal(rate: int = 22050, seconds: float = 3.0) -> np.ndarray:
    rng = np.random.default_rng(7)
    t = np.arange(int(rate * seconds)) / rate
    tone = 0.4 * np.sin(2 * np.pi * 220 * t) * (np.sin(2 * np.pi * 2 * t) > 0)
    return (tone + 0.01 * rng.standard_normal(t.size)).astype(np.float32)


@lru_cache(maxsize=1)
def all_subprocessors() -> tuple[SubProcessor, ...]:
    signal = _probe_signal()
    out: list[SubProcessor] = []
    for pid in sorted(PROCESSORS):
        processor = PROCESSORS[pid]
        (results,) = analyze_array(signal, 22050, [(processor, processor.parameters_default)])
        out.extend(SubProcessor(r.id, r.name, processor) for r in results)
    return tuple(out)


def get_subprocessor(sub_id: str) -> SubProcessor:
    for sub in all_subprocessors():
        if sub.sub_processor_id == sub_id or sub.uuid == sub_id:
            return sub
    raise NotFound(NOT_FOUND)
