"""The backend's rules, one module per concern, composed into :class:`..backend.Backend`."""
