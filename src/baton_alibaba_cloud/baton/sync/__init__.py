"""The sync engine: drives the resource syncers into a c1z, then expands grants."""
