"""HTTP + WebSocket API (FastAPI): thin handlers over the services."""
