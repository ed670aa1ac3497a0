"""alibaba layer."""
