"""The OpenCV camera on a generated video: paced, looping, newest frame, clear errors."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kiosk.devices import face
from kiosk.devices.base import READY, Camera, DeviceUnavailable
from kiosk.devices.camera import OpenCVCamera
from kiosk.settings import Settings


def test_video_file_is_delivered_at_its_frame_rate_and_loops(face_video):
    """The fake video lasts 2 s at 30 fps; reading for 2.5 s must loop and stay near 30 fps."""
    with OpenCVCamera(str(face_video)) as cam:
        assert isinstance(cam, Camera)
        start = time.monotonic()
        seq = 0
        while time.monotonic() - start < 2.5:
            seq, frame = cam.latest(after=seq)
        rate = seq / (time.monotonic() - start)
    assert frame.shape == (480, 640, 3)
    assert seq > 60  # more frames than the file holds: it looped
    assert 24 <= rate <= 36


def test_latest_returns_newest_frame_without_waiting_when_not_asked_for_a_new_one(face_video):
    with OpenCVCamera(str(face_video)) as cam:
        seq, _ = cam.latest()
        time.sleep(0.2)  # frames keep arriving while nobody reads
        seq2, _ = cam.latest()
        assert seq2 > seq + 2


def test_fake_camera_frames_pass_the_face_gate(face_video):
    with OpenCVCamera(str(face_video)) as cam:
        _, frame = cam.latest()
    assert face.passed(face.check_face(frame, Settings()))


def test_missing_source_raises_device_unavailable(tmp_path):
    with pytest.raises(DeviceUnavailable) as err:
        OpenCVCamera(str(tmp_path / "none.avi")).open()
    assert "Kamera" in err.value.msg.id


def test_closed_camera_raises_instead_of_hanging(face_video):
    cam = OpenCVCamera(str(face_video))
    cam.open()
    cam.close()
    with pytest.raises(DeviceUnavailable):
        cam.latest(timeout=0.5)
    cam.open()  # usable again after it comes back
    assert cam.latest()[1].shape == (480, 640, 3)
    assert cam.info().status == READY
    cam.close()


class _MjpegCamera:
    """A network camera: MJPEG over HTTP at ~30 fps until stopped (an unplugged camera)."""

    def __init__(self, port: int = 0) -> None:
        import cv2

        from kiosk.devices.sim import face as demo_face

        jpg = cv2.imencode(".jpg", demo_face.framed())[1].tobytes()
        self.stop_event = threading.Event()
        self.conns: set[socket.socket] = set()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                return

            def do_GET(self) -> None:  # noqa: N802
                outer.conns.add(self.connection)
                self.send_response(200)
                self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
                self.end_headers()
                part = (b"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n"
                        % len(jpg)) + jpg + b"\r\n"
                with contextlib.suppress(OSError):
                    while not outer.stop_event.wait(1 / 30):
                        self.wfile.write(part)

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def unplug(self) -> None:
        self.stop_event.set()
        self.server.shutdown()
        self.server.server_close()
        for c in self.conns:
            with contextlib.suppress(OSError):
                c.shutdown(socket.SHUT_RDWR)


def test_camera_unplugged_mid_preview_raises_and_works_again_when_back():
    net = _MjpegCamera()
    cam = OpenCVCamera(f"http://127.0.0.1:{net.port}/video.mjpg")
    cam.open()
    try:
        seq, frame = cam.latest(timeout=5)
        assert frame.shape == (480, 640, 3)
        net.unplug()
        start = time.monotonic()
        with pytest.raises(DeviceUnavailable):
            while True:
                seq, _ = cam.latest(after=seq, timeout=3)
        assert time.monotonic() - start < 4
        back = _MjpegCamera(net.port)
        try:
            cam.open()  # reconnect, same object, no restart
            assert cam.latest(timeout=5)[1].shape == (480, 640, 3)
        finally:
            back.unplug()
    finally:
        cam.close()
