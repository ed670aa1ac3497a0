"""connector layer."""
