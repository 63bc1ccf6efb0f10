"""Helm 3 in the simulation: charts from a simulated repository rendered by Go's text/template
(minikctl/printers/gotemplate.py, byte for byte as Go renders) with the Sprig functions charts
use (funcs.py), releases stored as Helm 3 stores them (Secrets of type helm.sh/release.v1 named
sh.helm.release.v1.NAME.vN holding base64(gzip(release JSON))), and helm's own output texts."""
from __future__ import annotations


class HelmError(Exception):
    """What helm prints as `Error: ...` (exit 1)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
