"""The analysis engine: DSP building blocks, analyzers, the processors registry, the block pipeline, series
outputs and pictures. Imports no database and no web code."""
