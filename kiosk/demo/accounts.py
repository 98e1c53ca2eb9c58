"""The demo station's accounts, shown on its login screen (invented; demo data dir only).

A module of its own so the login screen can show them before the store has loaded."""

DEMO_ACCOUNTS: list[tuple[str, str, str]] = [  # (user name, PIN, role)
    ("operator", "111111", "operator"),
    ("teknisi", "222222", "technician"),
    ("pengawas", "333333", "supervisor"),
]
