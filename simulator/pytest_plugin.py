"""pytest plugin registered by hcisim (entry point ``pytest11``)."""
