"""`certificate approve|deny NAME...`: kubectl's certificates.go. The Approved (KubectlApprove)
or Denied (KubectlDeny) condition is added unless the CSR already has it (--force adds it
anyway), through the CSR's approval subresource, whose validation refuses Approved with Denied.
The csrsigning controller then issues the certificate (sim/controllers/csr_signing.py).
"""
from __future__ import annotations

from typing import List, Optional

import typer

from minikctl.api.errors import ApiError, CliError
from minikctl.api.errors import invalid
from minikctl import lazy

_conditions = lazy.function("minikctl.api.validation.certificates", "_conditions")
context = lazy.module("minikctl.cli.context")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
output = lazy.module("minikctl.cli.output")
server = lazy.module("minikctl.api.server")

_TEXT = {"approve": ("Approved", "KubectlApprove", "This CSR was approved by kubectl certificate approve.", "approved"),
         "deny": ("Denied", "KubectlDeny", "This CSR was denied by kubectl certificate deny.", "denied")}


def _modify(cluster, csr: dict, action: str, force: bool) -> None:
    ctype, reason, message, _ = _TEXT[action]
    conds = (csr.get("status") or {}).get("conditions") or []
    if any(c.get("type") == ctype for c in conds) and not force:
        return
    now = cluster.timestamp()
    new = {**csr, "status": {**(csr.get("status") or {}), "conditions": conds + [
        {"type": ctype, "status": "True", "reason": reason, "message": message, "lastUpdateTime": now,
         "lastTransitionTime": now}]}}
    causes = _conditions(new)
    if causes:
        raise invalid("CertificateSigningRequest", csr["metadata"]["name"], causes)
    csr["status"] = new["status"]
    server.update_internal(cluster, csr)


def register(app: typer.Typer) -> None:
    cert_app = typer.Typer(add_completion=False, rich_markup_mode=None,
                           help="Modify certificate resources.", context_settings={"help_option_names": ["-h", "--help"]})

    def _cmd(action: str):
        def cmd(
            names: Optional[List[str]] = typer.Argument(None),
            force: bool = typer.Option(False, "--force"),
            output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
        ) -> int:
            names = list(names or [])
            if not names:
                raise CliError("one or more CSRs must be specified as <name> or -f <filename>")
            if output_fmt:
                output.check_format(output_fmt)
            done = []
            with open_cluster(context.env()) as cluster:
                for name in names:
                    csr = server.get(cluster, "CertificateSigningRequest", None, name)
                    _modify(cluster, csr, action, force)
                    done.append(dict(csr))
            for csr in done:
                if output_fmt:
                    output.emit(output.render([csr], output_fmt, single=True))
                else:
                    context.out(f"certificatesigningrequest.certificates.k8s.io/{csr['metadata']['name']} "
                                f"{_TEXT[action][3]}\n")
            return 0
        return cmd

    cert_app.command("approve", help="Approve a certificate signing request.")(_cmd("approve"))
    cert_app.command("deny", help="Deny a certificate signing request.")(_cmd("deny"))
    app.add_typer(cert_app, name="certificate")
