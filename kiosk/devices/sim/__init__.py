"""Fakes of the station's devices, for tests, the demo and benchmarks: the simulated MOSIP SBI
device service (`python -m kiosk.devices.sim.sbi`), synthetic fingers and signature strokes,
and the demo face for the camera."""
