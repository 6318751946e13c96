"""Where tasks run: in this process (a bounded set of asyncio jobs, the decode in worker threads) or
on Celery workers (the `jobs` setting, POLYPHONY_JOBS=celery; broker `broker_url`, POLYPHONY_BROKER_URL).
Both call the same `execute_task`; the database is the only state they share with the API.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

from sqlalchemy import select

from polyphony.analysis.models import Task
from polyphony.analysis.tasks.jobs import PENDING, RUNNING, execute_task
from polyphony.core.config import Settings
from polyphony.core.db import Database
from polyphony.core.local_copies import LocalCopies


def jobs_mode(settings: Settings) -> str:
    return settings.jobs.strip().lower() or "inprocess"


class Runner(Protocol):
    async def submit(self, task_uuid: str) -> None: ...

    async def resume(self) -> None: ...

    async def close(self) -> None: ...


class InProcessRunner:
    def __init__(self, db: Database, copies: LocalCopies, concurrency: int = 2) -> None:
        self.db = db
        self.copies = copies
        self.running: dict[str, asyncio.Task[None]] = {}
        self.slots = asyncio.Semaphore(concurrency)

    async def _run(self, task_uuid: str) -> None:
        async with self.slots:
            await execute_task(self.db, self.copies, task_uuid)

    async def submit(self, task_uuid: str) -> None:
        job = asyncio.create_task(self._run(task_uuid), name=f"analysis-task-{task_uuid}")
        self.running[task_uuid] = job
        job.add_done_callback(lambda _: self.running.pop(task_uuid, None))

    async def resume(self) -> None:
        """Run again whatever was pending or running when the server last stopped."""
        async with self.db.session() as session:
            keys = (await session.scalars(select(Task.uuid).where(Task.status.in_((PENDING, RUNNING))))).all()
        for key in keys:
            await self.submit(key)

    async def close(self) -> None:
        for job in list(self.running.values()):
            job.cancel()
        await asyncio.gather(*self.running.values(), return_exceptions=True)


class CeleryRunner:
    """Queues `polyphony.analysis.run_task` on the broker; workers (`polyphony worker`) run it."""

    def __init__(self, settings: Settings) -> None:
        from polyphony.analysis.tasks.worker import celery_app

        self.app = celery_app(settings)

    async def submit(self, task_uuid: str) -> None:
        await asyncio.to_thread(self.app.send_task, "polyphony.analysis.run_task", args=[task_uuid])

    async def resume(self) -> None:
        return None  # the broker keeps queued tasks; workers own running ones

    async def close(self) -> None:
        return None


def make_runner(db: Database, copies: LocalCopies, settings: Settings) -> Runner:
    if jobs_mode(settings) == "celery":
        return CeleryRunner(settings)
    return InProcessRunner(db, copies)
