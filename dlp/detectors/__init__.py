"""Detectors, one module each, found automatically.

A module here that defines ``DETECTOR`` (a :class:`dlp.detector.Detector`) is a
detector; its name is the module name. Modules starting with ``_`` are helpers.
Adding a detector means adding one module and one test, nothing else.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable
from functools import cache

from dlp.detector import Detector
from dlp.errors import ConfigError


@cache
def all_detectors() -> tuple[Detector, ...]:
    """Every detector shipped in this package, sorted by name."""
    found: list[Detector] = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        detector = getattr(module, "DETECTOR", None)
        if isinstance(detector, Detector):
            if detector.name != info.name:
                raise ConfigError(f"detector in module {info.name} is named {detector.name}")
            found.append(detector)
    return tuple(sorted(found, key=lambda d: d.name))


def select(names: Iterable[str] | None = None) -> tuple[Detector, ...]:
    """The detectors named (all when ``names`` is None); unknown names raise ConfigError."""
    detectors = all_detectors()
    if names is None:
        return detectors
    wanted = set(names)
    known = {d.name for d in detectors}
    unknown = sorted(wanted - known)
    if unknown:
        raise ConfigError(f"unknown detector(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return tuple(d for d in detectors if d.name in wanted)
