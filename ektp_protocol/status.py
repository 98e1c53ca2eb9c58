"""What the central server says a record's processing has come to (protocol v1's `status`
field of a reconcile answer and of `GET /v1/records/{id}`)."""

from __future__ import annotations

from enum import StrEnum


class ProcessingStatus(StrEnum):
    """A record's processing at the centre: held, then accepted, or rejected with a reason."""

    RECEIVED = "received"  # held, not yet decided by an officer
    ACCEPTED = "accepted"
    REJECTED = "rejected"  # the applicant must be recorded again (the reason travels with it)

    @property
    def decided(self) -> bool:
        return self is not ProcessingStatus.RECEIVED
