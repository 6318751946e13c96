"""gRPC-facing plumbing shared by the servicers: metadata helpers and the interceptor."""
