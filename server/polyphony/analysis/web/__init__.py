"""The TimeSide REST/gRPC surface: one servicer part per resource, the message mapping, the OpenAPI document and
the legacy HTML pages."""
