"""Tasks: creating and watching them, and running them in-process or on Celery workers."""
