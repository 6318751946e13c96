"""Files the analysis service reads and writes: TimeSide result containers (JSON/YAML/XML/HDF5), annotation-tool
exports (ELAN, Sonic Visualiser) and portable archives."""
