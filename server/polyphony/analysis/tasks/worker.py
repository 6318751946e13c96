"""The Celery side of the job runner: `polyphony worker` runs a worker whose one task,
`polyphony.analysis.run_task`, calls the same `execute_task` as the in-process runner.

Configuration comes from the same POLYPHONY_* settings as the server (database URL, data dir),
plus `broker_url` (POLYPHONY_BROKER_URL, default redis://127.0.0.1:6379/0) and `celery_queue`
(POLYPHONY_CELERY_QUEUE).
"""

from __future__ import annotations

import asyncio
from functools import lru_cache
from typing import Any

from celery import Celery

from polyphony.core.config import Settings


async def _run(task_uuid: str) -> None:
    from polyphony.analysis.tasks.jobs import execute_task
    from polyphony.core.config import Settings
    from polyphony.core.db import Database
    from polyphony.core.local_copies import LocalCopies
    from polyphony.core.stores import configured_store

    settings = Settings.from_env()
    db = Database(settings.resolved_database_url)
    try:
        objects = configured_store(settings)  # the servers' store: input audio and results live there
        await execute_task(db, LocalCopies.for_settings(objects, settings), task_uuid)
    finally:
        await db.dispose()


def run_task(task_uuid: str) -> None:
    asyncio.run(_run(task_uuid))


@lru_cache(maxsize=1)
def celery_app() -> Celery:
    settings = Settings.from_env()
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


def main(argv: list[str] | None = None) -> int:
    """Run a Celery worker in this process (`polyphony worker [celery worker options]`)."""
    args: list[Any] = ["worker", "--loglevel=INFO", "--pool=solo", *(argv or [])]
    celery_app().worker_main(args)
    return 0
