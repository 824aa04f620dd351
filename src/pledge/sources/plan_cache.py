"""Plans kept by shape: the same declaration, schemas, identity kinds and depth give the
same steps, whoever the person is; only the identity's values differ.

Building a plan walks the graph and builds every statement (tens of milliseconds on the demo
company), which would otherwise be paid by every request. Entries are keyed by the identity
of the declaration and schema objects (the server keeps those a while, see
pledge.services) and hold them, so that an id is never reused while its entry lives.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import TypeVar, cast

T = TypeVar("T")

SIZE = 64


class ShapeCache:
    """A small least-recently-used cache of values built from objects kept alive with them."""

    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, tuple[object, tuple[object, ...]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, objects: tuple[object, ...], details: Hashable, build: Callable[[], T]) -> T:
        """The value for these objects (by identity) and details, built once."""
        key = (tuple(id(o) for o in objects), details)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                return cast(T, entry[0])
        value = build()
        with self._lock:
            self._entries[key] = (value, objects)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def schema_objects(schemas: Mapping[str, object]) -> tuple[object, ...]:
    return tuple(schemas[name] for name in sorted(schemas))
