"""Station sync: the wire protocol, the HTTP client and the background engine (no Qt)."""
