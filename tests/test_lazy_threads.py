"""minikctl/lazy.py under threads: `minikctl serve` answers on a thread per connection, so the
first requests of a kind race to load the same deferred module. None may see it half made."""
from __future__ import annotations

import sys
import threading
import time

from minikctl import lazy


def test_a_module_loading_in_another_thread_is_waited_for(tmp_path, monkeypatch):
    # a module whose import takes a while, then defines what the callers use
    (tmp_path / "slow_lazy_target.py").write_text(
        "import time\ntime.sleep(0.3)\ndef answer():\n    return 42\nVALUE = 7\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("slow_lazy_target", None)
    fn = lazy.function("slow_lazy_target", "answer")
    mod = lazy.module("slow_lazy_target")
    got, errors = [], []
    importing = threading.Event()

    def call(i: int) -> None:
        if i:                       # the others come while the first is importing
            importing.wait()
            time.sleep(0.1)
        else:
            importing.set()
        try:
            got.append(fn() if i % 2 else mod.VALUE)
        except Exception as e:  # noqa: BLE001 - what the test looks for
            errors.append(repr(e))
    threads = [threading.Thread(target=call, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sys.modules.pop("slow_lazy_target", None)
    assert errors == []
    assert sorted(got) == [7] * 8 + [42] * 8
