"""Schema migrations. Each module here registers its migrations with `@migration(version, name)`;
they are all imported (so registered) by `kiosk.store.db.migrate` and applied in version order.

Version blocks: 1-9 core store, 10-19 sync, 20-29 devices/self-test, 30-39 accounts and exports.
"""

import importlib
import pkgutil

for _mod in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    importlib.import_module(f"{__name__}.{_mod}")
