"""Everything `kiosk --demo`, the screenshots and the benchmarks need that a real station does
not: invented applicants (`records`), demo accounts (`accounts`), a month of history for the
desk screens (`history`), and the simulated devices plus a local central server
(`environment`). No Qt here; the demo's two Qt pieces live in kiosk/ui (qt_demo.py, the top
bar's server switch, and desk/qt_desk_demo.py, the desk screens on demo data).

Submodules are imported by name so that the login screen can show the demo accounts without
loading NumPy or OpenCV.
"""
