"""Serving one connector through baton's ``c1.connector.v2`` gRPC services, from a snapshot."""
