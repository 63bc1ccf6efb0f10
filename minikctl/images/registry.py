"""Image reference -> simulated toolset, and `run(ctx, argv)` for the exec verb.

Contract for the exec verb: `run` returns (stdout, stderr, exit code), or raises
`ExecutableNotFound(name)` (minikctl.images.base) when the image has no such executable; the verb
renders containerd's `OCI runtime exec failed ... executable file not found in $PATH` message.
Inside `sh -c`, a missing command is the shell's own `sh: foo: not found` with status 127.
Tools from minikctl/images/nettools.py (wget, curl, ping) are merged where the image has them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from minikctl.api import imageref
from minikctl.images.base import ExecutableNotFound  # noqa: F401  (re-exported for the exec verb)
import dataclasses
from minikctl import lazy

Shell = lazy.function("minikctl.images.shell", "Shell")
applets = lazy.module("minikctl.images.applets")
busybox_128 = lazy.module("minikctl.images.busybox_128")
client_tools = lazy.function("minikctl.images.behaviours.clients", "client_tools")
dnsutils = lazy.module("minikctl.images.dnsutils")
in_container = lazy.module("minikctl.images.etcdtools.in_container")
nettools = lazy.module("minikctl.images.nettools")
perl = lazy.module("minikctl.images.perl")
tools_for = lazy.function("minikctl.images.behaviours.agnhost", "tools_for")
busybox_new = lazy.module("minikctl.images.busybox_new")
nginx = lazy.module("minikctl.images.nginx")

BIN_DIRS = ("/bin/", "/usr/bin/", "/sbin/", "/usr/sbin/", "/usr/local/bin/", "/usr/local/sbin/")


@dataclass
class Image:
    ref: str
    family: str                      # busybox-1.28 | busybox | dnsutils | nginx | generic
    tools: dict = field(default_factory=dict)
    shell_dialect: str = "ash"


def normalize(ref: str) -> tuple[str, str]:
    """('busybox', '1.28') from 'docker.io/library/busybox:1.28@sha256:...'."""
    ref = ref.split("@", 1)[0]
    name, tag = ref, "latest"
    last = ref.rsplit("/", 1)[-1]
    if ":" in last:
        name, tag = ref.rsplit(":", 1)
    for prefix in ("docker.io/library/", "docker.io/", "library/"):
        if name.startswith(prefix):
            name = name[len(prefix):]
    return name, tag


def family_of(ref: str) -> str:
    name, tag = normalize(ref)
    base = name.rsplit("/", 1)[-1]
    if base == "busyboxplus":          # radial/busyboxplus: busybox 1.2x with curl
        return "busybox-1.28"
    if base == "busybox":
        v = imageref.version(tag)
        return "busybox-1.28" if v and v < (1, 29) else "busybox"
    if "dnsutils" in base:
        return "dnsutils"
    if base in ("nginx", "nginx-slim", "nginx-unprivileged"):
        return "nginx"
    if base in ("alpine", "curl") or tag.endswith("-alpine") or tag == "alpine":
        return "alpine"                # busybox's ash and applets (curlimages/curl is Alpine plus curl)
    return "generic"


def _nettools(names) -> dict:
    return {k: v for k, v in nettools.TOOLS.items() if k in names}


def toolset(ref: str) -> Image:
    fam = family_of(ref)
    if fam == "busybox-1.28":
        tools, dialect, net = busybox_128.tools(), "ash", ("wget", "ping", "nc")
    elif fam == "busybox":
        tools, dialect, net = busybox_new.tools(), "ash", ("wget", "ping", "nc")
    elif fam == "alpine":
        curl = ("curl",) if normalize(ref)[0].rsplit("/", 1)[-1] == "curl" else ()
        tools, dialect, net = busybox_new.tools(), "ash", ("wget", "ping", "nc") + curl
    elif fam == "dnsutils":
        tools, dialect, net = dnsutils.tools(), "dash", ("ping",)
    elif fam == "nginx":
        tools, dialect, net = nginx.tools(), "dash", ("curl",)
    else:
        tools, dialect, net = nginx.generic_tools(), "dash", ()
    tools.update(_nettools(net))
    tools = applets.merge(fam, tools)
    tools.update(client_tools(ref))          # redis-cli in redis, pg_isready in postgres...
    tools.update(tools_for(ref))             # /agnhost dns-suffix, dns-server-list, etc-hosts
    if normalize(ref)[0].rsplit("/", 1)[-1] == "etcd":   # the etcd image ships its CLIs
        tools.update({"etcdctl": in_container.tool, "etcdutl": in_container.tool})
    if normalize(ref)[0].rsplit("/", 1)[-1] == "perl":
        tools.update(perl.tools())           # the Job page's bpi program
    return Image(ref, fam, tools, dialect)


def image_for_ctx(ctx) -> Image:
    pod = ctx.pod or {}
    containers = (pod.get("spec") or {}).get("containers") or []
    c = next((c for c in containers if c.get("name") == ctx.container), containers[0] if containers else {})
    return toolset(c.get("image") or "busybox")


def toolset_for_ctx(ctx) -> dict:
    return image_for_ctx(ctx).tools


def resolve_tool(tools: dict, name: str):
    """`nslookup`, `/bin/nslookup`, `/usr/bin/nslookup` all name the same applet."""
    if name in tools:
        return tools[name]
    for d in BIN_DIRS:
        if name.startswith(d) and name[len(d):] in tools:
            return tools[name[len(d):]]
    return None


def run(ctx, argv: list[str]) -> tuple[str, str, int]:
    """Run argv in the pod's container image. Raises ExecutableNotFound for unknown commands."""
    if not argv:
        raise ExecutableNotFound("")
    image = image_for_ctx(ctx)
    tool = resolve_tool(image.tools, argv[0])
    if tool is None:
        raise ExecutableNotFound(argv[0])
    if getattr(ctx, "runner", None) is None:
        # exec'd without a shell (`kubectl exec pod -- xargs ...`): an applet that starts a
        # command (xargs, env CMD, timeout, nice) gets the image's shell machinery to run it
        def runner(args, stdin="", env=None, clear=False):
            return Shell(ctx, image.tools, dialect=image.shell_dialect).runner(args, stdin, env=env, clear=clear)
        try:
            ctx = dataclasses.replace(ctx, runner=runner)
        except TypeError:
            pass
    return tool(ctx, list(argv))
