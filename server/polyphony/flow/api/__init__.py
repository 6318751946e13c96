"""FlowService's RPCs by resource (flows, sources, segments, objects, webhooks, service), one module each;
`polyphony.flow.servicer.FlowServicer` combines them into the one gRPC servicer."""
