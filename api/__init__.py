"""The kzlaw REST API (FastAPI): a thin layer over kzlaw/."""
