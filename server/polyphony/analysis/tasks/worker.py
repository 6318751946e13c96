"""The Celery side of the job runner: `polyphony worker` runs a worker whose one task,
`polyphony.analysis.run_task`, calls the same `execute_task` as the in-process runner.

Configuration is the same `Settings` as the server's (database URL, data dir), plus `broker_url`
(POLYPHONY_BROKER_URL, default redis://127.0.0.1:6379/0) and `celery_queue` (POLYPHONY_CELERY_QUEUE),
handed in by the command line.
"""

from __future__ import annotations

import asyncio
from functools import lru_cache
from typing import Any

from celery import Celery

from polyphony.core.config import Settings


async def _run(settings: Settings, task_uuid: str) -> None:
    from polyphony.analysis.tasks.jobs import execute_task
    from polyphony.core.db import Database
    from polyphony.core.local_copies import LocalCopies
    from polyphony.core.stores import configured_store

    db = Database(settings.resolved_database_url)
    try:
        objects = configured_store(settings)  # the servers' store: input audio and results live there
        await execute_task(db, LocalCopies.for_settings(objects, settings), task_uuid)
    finally:
        await db.dispose()


@lru_cache(maxsize=4)
def celery_app(settings: Settings) -> Celery:
    """The Celery app of a deployment: the server queues tasks on it, `polyphony worker` runs them."""

    def run_task(task_uuid: str) -> None:
        asyncio.run(_run(settings, task_uuid))

    app = Celery("polyphony", broker=settings.broker_url)
    app.conf.update(
        task_acks_late=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        # one queue per deployment (POLYPHONY_CELERY_QUEUE): instances sharing a broker stay apart
        task_default_queue=settings.celery_queue,
    )
    app.task(name="polyphony.analysis.run_task")(run_task)
    return app


def main(settings: Settings, argv: list[str] | None = None) -> int:
    """Run a Celery worker in this process (`polyphony worker [celery worker options]`)."""
    args: list[Any] = ["worker", f"--loglevel={settings.log_level.upper()}", "--pool=solo", *(argv or [])]
    celery_app(settings).worker_main(args)
    return 0
