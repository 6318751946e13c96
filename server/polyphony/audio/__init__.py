"""Audio helpers shared by the services (a library below them: it imports no service)."""
