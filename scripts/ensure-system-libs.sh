#!/bin/sh
# Installs the Debian libraries Qt (PySide6) needs, only when Qt cannot start without them.
# Usage: ensure-system-libs.sh PATH_TO_VENV_PYTHON
set -eu
PY="$1"
probe() {
    QT_QPA_PLATFORM=offscreen "$PY" -c '
from PySide6.QtWidgets import QApplication
from PySide6.QtGui import QImage, QPainter, QPdfWriter
import cv2
app = QApplication([])
' >/dev/null 2>&1
}
if probe && command -v pdftotext >/dev/null 2>&1; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "Qt cannot start and this is not a Debian system: install Qt 6's runtime libraries (OpenGL, EGL, xkbcommon, fontconfig, dbus) by hand." >&2
    exit 1
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "Installing the Debian libraries Qt needs (first run only)..."
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
    libgl1 libegl1 libglib2.0-0 libfontconfig1 libfreetype6 libdbus-1-3 \
    libxkbcommon0 libxkbcommon-x11-0 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 \
    libxcb-keysyms1 libxcb-render-util0 libxcb-xinerama0 libxcb-xkb1 libxcb-shape0 \
    libxcb-randr0 libxrender1 libxi6 libsm6 libice6 libnss3 libasound2 \
    fonts-dejavu-core poppler-utils >/dev/null
probe || { echo "Qt still cannot start; run: QT_QPA_PLATFORM=offscreen $PY -c 'from PySide6.QtWidgets import QApplication; QApplication([])'" >&2; exit 1; }
