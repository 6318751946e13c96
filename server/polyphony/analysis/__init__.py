"""The analysis service: the IRCAM TimeSide server API (items, processors, presets, tasks, results)."""
