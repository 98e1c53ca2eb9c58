"""The technician's and supervisor's screens, reached from home: self-test, history, device
settings, daily log, cap, accounts, re-recordings, dashboard."""
