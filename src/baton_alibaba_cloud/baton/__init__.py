"""baton layer."""
