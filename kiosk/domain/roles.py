"""Who may do what at the station: the three roles and the actions each may take.

Screens ask `can(role, action)` to decide what to show; the layers that act check the acting
account with `kiosk.store.users.require`, so no surface (GUI, command line) can skip the rule.
"""

from __future__ import annotations

from kiosk.domain.messages import DomainError, Msg

ROLES = ("operator", "technician", "supervisor")
RANK = {role: i for i, role in enumerate(ROLES)}

# What each role may do. Screens ask `can(role, action)`; the core enforces with `require`.
OPERATOR_ACTIONS = frozenset({"record", "status"})
TECHNICIAN_ACTIONS = OPERATOR_ACTIONS | {"selftest", "device_settings", "incident_history"}
SUPERVISOR_ACTIONS = TECHNICIAN_ACTIONS | {
    "export", "cap", "accounts", "rerecord", "dashboard",
    "sync_pause",  # hold delivery to the central server, and resume it
    "receipt_reprint",  # reprint an applicant's lost receipt (kiosk receipt; audited)
    "carry",  # carry unsent records to the centre on a drive (kiosk carry export)
}
ACTIONS = SUPERVISOR_ACTIONS
_ALLOWED = {
    "operator": OPERATOR_ACTIONS,
    "technician": TECHNICIAN_ACTIONS,
    "supervisor": SUPERVISOR_ACTIONS,
}


def can(role: str, action: str) -> bool:
    """Whether `role` may do `action` (see ACTIONS); unknown actions raise ValueError."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    return action in _ALLOWED.get(role, frozenset())


class PermissionDenied(DomainError):
    def __init__(self, actor: str, action: str) -> None:
        super().__init__(Msg(
            f"'{actor}' tidak berwenang untuk tindakan ini ({action}).",
            f"'{actor}' is not allowed to do this ({action}).",
        ))
        self.actor = actor
        self.action = action
