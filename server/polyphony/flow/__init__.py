"""TAMS 8.2 (Time-addressable Media Store): Flows, Sources and Profiles under /tams/."""
