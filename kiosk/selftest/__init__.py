"""Self-test (swauji): camera, fingerprint service, signature input, server, disk, database.

`run_all(ctx)` runs every check, stores the results with a timestamp (Store.save_selftest)
and returns a `SelfTestReport`; `run_check(name, ctx)` runs one (the technician screen's
single-check buttons). No Qt here: the signature check calls `ctx.signature_probe`, which the
GUI replaces with a Qt probe; headless it reports the configured input
(kiosk.devices.signature.probe_signature_input).
"""

CHECK_NAMES = ("camera", "fingerprint", "signature", "server", "disk", "database")

# The engine (kiosk.selftest.engine: run_all, run_check, SelfTestContext) and the incident
# tracker (kiosk.app.incidents: DeviceIncidents) are imported from their modules, so that
# `kiosk --help` does not load OpenCV to learn the check names.
