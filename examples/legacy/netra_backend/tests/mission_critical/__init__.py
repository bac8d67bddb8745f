"""mission_critical tests."""
