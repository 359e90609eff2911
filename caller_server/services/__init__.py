"""Use cases: one transaction each. The API, CLI and push call these, never the store."""
