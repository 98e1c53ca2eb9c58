"""The application layer, shared by the GUI and the `kiosk` command (no Qt here, ever).

The station and desk services, the recording draft, accounts, freeze gates, the supervisor's
and technician's figures, the device facade and device incidents. Every privileged action is
checked here against the acting account, whichever surface asked for it.
"""
