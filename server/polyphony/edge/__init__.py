"""The Envoy edge: config rendering, process control, and the live (socket.io/WebSocket) ASGI app."""
