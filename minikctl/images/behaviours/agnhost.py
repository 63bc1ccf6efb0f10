"""`/agnhost SUBCOMMAND` run with exec inside an agnhost container (kubernetes test/images/agnhost):
the dns subcommands print what the container's files say (dns/common.go, dns/dns.go):
dns-suffix the resolv.conf search list joined by commas, dns-server-list its first nameserver
line's servers, etc-hosts /etc/hosts followed by Println's newline. The servers (netexec,
serve-hostname, pause...) run as the container's main process, not under exec: minikctl says so.
"""
from __future__ import annotations
from minikctl import lazy

fs = lazy.module("minikctl.images.fs")
registry = lazy.module("minikctl.sim.registry")


def _read(ctx, path: str) -> str | None:
    try:
        return fs.read_file(ctx.view, ctx.pod, ctx.container, path)
    except Exception:
        return None


def _first(text: str, prefix: str) -> list[str] | None:
    for line in text.split("\n"):
        if line.startswith(prefix):
            return line.split(" ")[1:]
    return None


def agnhost(ctx, argv):
    sub = argv[1] if len(argv) > 1 else ""
    if sub in ("dns-suffix", "dns-server-list"):
        text = _read(ctx, "/etc/resolv.conf") or ""
        got = _first(text, "search" if sub == "dns-suffix" else "nameserver")
        if got is None:
            return "", "panic: Could not find DNS search list!\n", 2
        return ",".join(got) + "\n", "", 0
    if sub == "etc-hosts":
        return (_read(ctx, "/etc/hosts") or "") + "\n", "", 0
    return "", f"minikctl: agnhost {sub or '(no subcommand)'} under exec is not simulated\n", 1


def tools_for(image: str) -> dict:
    try:
        repo = registry.repository(image)
    except Exception:
        return {}
    if repo.endswith("/agnhost"):
        return {"agnhost": agnhost, "/agnhost": agnhost}
    return {}
