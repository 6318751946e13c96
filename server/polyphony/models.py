"""Imports every service's ORM models so the shared metadata knows all tables (Alembic, tests)."""

from __future__ import annotations

import importlib

from sqlalchemy import MetaData

from polyphony.core.db import SERVICES, Base


def load_all_models() -> MetaData:
    importlib.import_module("polyphony.core.tokens")
    for svc in SERVICES:
        try:
            importlib.import_module(f"polyphony.{svc}.models")
        except ModuleNotFoundError as exc:
            if exc.name not in (f"polyphony.{svc}", f"polyphony.{svc}.models"):
                raise
    return Base.metadata
