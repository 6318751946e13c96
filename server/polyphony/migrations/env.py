"""Alembic environment: runs on the connection handed over by `polyphony.core.db.migrate_locations`."""

from alembic import context

config = context.config
target_metadata = config.attributes.get("target_metadata")

connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through polyphony.app.migrate()")
prefix = config.attributes.get("table_prefix")  # set by scripts/new_migration.py: one service's tables


def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    if prefix and type_ == "table":
        return bool(name and name.startswith(prefix))
    if prefix and hasattr(obj, "table"):
        return bool(obj.table.name.startswith(prefix))
    return True


context.configure(
    connection=connection, target_metadata=target_metadata, render_as_batch=True, include_object=include_object
)
with context.begin_transaction():
    context.run_migrations()
