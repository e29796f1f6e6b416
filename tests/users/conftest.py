"""Users-test setup: shared fixtures live in tests/conftest.py."""
