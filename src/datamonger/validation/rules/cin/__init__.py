"""CIN census rule packs (modules are discovered by the registry: add a file, edit nothing else)."""
