"""Items and their audio: upload and form parsing, field validation, probing, remote providers, transcoded downloads."""
