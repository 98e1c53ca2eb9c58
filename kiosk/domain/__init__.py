"""Domain rules of e-KTP recording: applicant, NIK, regions, records, daily cap. No Qt, no I/O."""
