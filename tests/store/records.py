"""Recordings for store tests: real demo blobs (made once per process) with fresh applicants."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace
from functools import lru_cache

import numpy as np

from kiosk.demo.records import demo_applicant, demo_recording
from kiosk.domain.recording import Recording
from kiosk.domain.regions import RegionTable


@lru_cache(maxsize=1)
def _template() -> Recording:
    return demo_recording(1, "627104", RegionTable.load(), dt.date(2026, 11, 29))


def quick_recording(i: int, today: dt.date = dt.date(2026, 11, 29)) -> Recording:
    """A complete recording with applicant `i` (valid NIK) and the shared demo blobs."""
    t = _template()
    rng = np.random.default_rng(i)
    applicant = demo_applicant(rng, "627104", RegionTable.load(), today, serial=1 + i % 9999)
    return replace(t, applicant=applicant, record_id=str(uuid.uuid4()))
