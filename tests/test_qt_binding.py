"""Guards against a Qt binding that breaks the interpreter.

PySide6 6.12.0 drops a reference to `True` on every `Signal.emit()` from Python. On Python
3.11, where `True` is not immortal, the app then aborts with "Fatal Python error: bool_dealloc"
once enough signals were emitted (seen here at interpreter exit after the test suite, and it
would hit a long import or submission in the app). pyproject pins a version without the bug;
this test fails before an upgrade can bring it back.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    fired = Signal()
    carried = Signal(object)


def test_emit_keeps_the_reference_counts_of_true_and_false(qapp: object) -> None:
    emitter = _Emitter()
    received: list[object] = []
    emitter.carried.connect(received.append)
    emitter.fired.connect(lambda: True)
    before = (sys.getrefcount(True), sys.getrefcount(False))
    for _ in range(200):
        emitter.fired.emit()
        emitter.carried.emit(False)
    received.clear()
    assert (sys.getrefcount(True), sys.getrefcount(False)) == before
