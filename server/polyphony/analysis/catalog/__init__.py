"""Processors, presets, experiences, selections and the annotated corpus (analyses, tracks, annotations)."""
