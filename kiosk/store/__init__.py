"""Local data: SQLite (sqlite-utils), sealed blobs and biodata, outbox, audit log, daily cap."""
