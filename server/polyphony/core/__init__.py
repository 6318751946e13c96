"""Shared building blocks used by every service: errors, config, storage, paging, query parsing."""
