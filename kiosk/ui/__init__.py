"""The operator's station (PySide6).

Qt lives only in `qt_*.py` modules, in classes named `Qt*`. Everything else here is plain
Python the widgets talk to: the recording draft, the station service and the status words.
"""
