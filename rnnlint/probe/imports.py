"""Patch a module when it is first imported: the optional libraries the probe instruments
(scikit-learn's scalers, h5py, pandas...) are often imported by the script only after the probe starts."""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from typing import Callable


def on_import(name: str, callback: Callable) -> None:
    """Run `callback(module)` on a module now if it is imported, else right after its first import."""
    if name in sys.modules:
        callback(sys.modules[name])
    else:
        sys.meta_path.insert(0, _PatchOnImport(name, callback))


class _PatchOnImport(importlib.abc.MetaPathFinder):
    """Runs a callback right after a module is first imported (scikit-learn is optional)."""

    def __init__(self, name: str, callback):
        self.name, self.callback = name, callback

    def find_spec(self, fullname, path, target=None):
        if fullname != self.name:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        original, callback = spec.loader.exec_module, self.callback

        def exec_module(module):
            original(module)
            callback(module)

        spec.loader.exec_module = exec_module
        return spec
