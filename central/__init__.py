"""Reference central server (`kiosk-central`): FastAPI + uvicorn, SQLite, a blob folder."""
