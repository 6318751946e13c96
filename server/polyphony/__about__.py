"""Package version, shown by AURA `/aura/server` and TAMS `/service`."""

__version__ = "0.1.0"
