"""Tools every simulated image has, and the pod's kubelet-written files.

Why: `cat /etc/resolv.conf`, `cat /etc/hosts`, `env`, `hostname` are how a learner checks what
kubelet gave a pod. Everything is computed from the pod object and the cluster state; no host
file is ever read (the "file system" is a dict built here).
"""
from __future__ import annotations

from minikctl import timeutil
from minikctl.net.dns.resolver import pod_resolv_conf
from minikctl import lazy

container_env = lazy.function("minikctl.sim.podenv", "container_env")

BUSYBOX_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class ExecutableNotFound(Exception):
    """Raised by registry.run for a command the image does not have (outside a shell).

    The exec verb turns it into containerd's `OCI runtime exec failed ... exec: "foo":
    executable file not found in $PATH: unknown` and exit code 1.
    """

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


def pod_hostname(pod: dict | None, node: str | None = None) -> str:
    if pod is None:
        return node or "localhost"
    spec = pod.get("spec") or {}
    if spec.get("hostNetwork"):
        return spec.get("nodeName") or node or "localhost"
    return (spec.get("hostname") or pod["metadata"]["name"])[:63]


def hosts_file(view, pod: dict | None) -> str:
    """kubelet managedHostsFileContent: header, localhost lines, pod IP, HostAliases."""
    out = ["# Kubernetes-managed hosts file.", "127.0.0.1\tlocalhost",
           "::1\tlocalhost ip6-localhost ip6-loopback", "fe00::0\tip6-localnet",
           "fe00::0\tip6-mcastprefix", "fe00::1\tip6-allnodes", "fe00::2\tip6-allrouters"]
    if pod is None:
        return "\n".join(out[1:3]) + "\n"
    spec, meta = pod.get("spec") or {}, pod.get("metadata") or {}
    st = pod.get("status") or {}
    ips = [x.get("ip") for x in st.get("podIPs") or [] if x.get("ip")] or ([st["podIP"]] if st.get("podIP") else [])
    host = pod_hostname(pod)
    domain = view.profile.get("clusterDomain", "cluster.local")
    sub = spec.get("subdomain")
    for ip in ips:
        if sub:
            out.append(f"{ip}\t{host}.{sub}.{meta.get('namespace', 'default')}.svc.{domain}\t{host}")
        else:
            out.append(f"{ip}\t{host}")
    text = "\n".join(out) + "\n"
    aliases = spec.get("hostAliases") or []
    if aliases:
        text += "\n# Entries added by HostAliases.\n"
        for a in aliases:
            text += f"{a.get('ip')}\t" + "\t".join(a.get("hostnames") or []) + "\n"
    return text


def _container(ctx) -> dict:
    pod = ctx.pod or {}
    cs = (pod.get("spec") or {}).get("containers") or [{}]
    return next((c for c in cs if c.get("name") == ctx.container), cs[0])


def _started(ctx) -> float:
    pod = ctx.pod or {}
    for s in (pod.get("status") or {}).get("containerStatuses") or []:
        if s.get("name") == ctx.container or ctx.container is None:
            run = (s.get("state") or {}).get("running") or {}
            if run.get("startedAt"):
                return timeutil.parse(run["startedAt"])
    return timeutil.parse((pod.get("status") or {}).get("startTime")) or float("inf")


def service_env(view, pod: dict, started: float) -> list[tuple[str, str]]:
    """Docker-link variables (kubelet envvars.FromServices) for services that existed at start."""
    ns = pod["metadata"].get("namespace", "default")
    links = (pod.get("spec") or {}).get("enableServiceLinks", True)
    svcs = {}
    if links:
        for s in view.list("Service", ns):
            svcs[s["metadata"]["name"]] = s
    if ns != "default" or "kubernetes" not in svcs:
        k = view.get("Service", "default", "kubernetes")
        if k is not None:
            svcs["kubernetes"] = k
    out = []
    for name in sorted(svcs):
        s = svcs[name]
        spec = s.get("spec") or {}
        ip = spec.get("clusterIP")
        if not ip or ip == "None" or spec.get("type") == "ExternalName":
            continue
        if (timeutil.parse(s["metadata"].get("creationTimestamp")) or 0.0) > started:
            continue
        ports = spec.get("ports") or []
        if not ports:
            continue
        n = name.upper().replace("-", "_")
        host = f"[{ip}]" if ":" in ip else ip
        p0 = ports[0]
        out.append((f"{n}_SERVICE_HOST", ip))
        out.append((f"{n}_SERVICE_PORT", str(p0["port"])))
        for p in ports:
            if p.get("name"):
                out.append((f"{n}_SERVICE_PORT_{p['name'].upper().replace('-', '_')}", str(p["port"])))
        out.append((f"{n}_PORT", f"{(p0.get('protocol') or 'TCP').lower()}://{host}:{p0['port']}"))
        for p in ports:
            proto = (p.get("protocol") or "TCP")
            pre = f"{n}_PORT_{p['port']}_{proto.upper()}"
            out.append((pre, f"{proto.lower()}://{host}:{p['port']}"))
            out.append((pre + "_PROTO", proto.lower()))
            out.append((pre + "_PORT", str(p["port"])))
            out.append((pre + "_ADDR", ip))
    return out


def process_env(ctx, image_env: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    """PATH (image), HOSTNAME, container env, service links, HOME: the order `env` prints."""
    if getattr(ctx, "environ", None) is not None:
        return list(ctx.environ.items())
    image_env = image_env or [("PATH", BUSYBOX_PATH)]
    env: list[tuple[str, str]] = list(image_env[:1])
    env.append(("HOSTNAME", pod_hostname(ctx.pod, ctx.node)))
    env += list(image_env[1:])
    if ctx.pod is not None:
        services = service_env(ctx.view, ctx.pod, _started(ctx))
        declared, _ = container_env(ctx.view, ctx.pod, _container(ctx), services)
        env += declared
        names = {k for k, _ in declared}
        env += [(k, v) for k, v in services if k not in names]
    env += [(k, v) for k, v in (ctx.env or {}).items()]
    if not any(k == "HOME" for k, _ in env):
        env.append(("HOME", "/root"))
    seen: dict[str, str] = {}
    for k, v in env:
        seen[k] = v
    return list(seen.items())


def files(ctx) -> dict[str, str]:
    """The few files a learner cats, computed from the pod."""
    rc = pod_resolv_conf(ctx.view, ctx.pod)
    return {"/etc/resolv.conf": rc.text(), "/etc/hosts": hosts_file(ctx.view, ctx.pod),
            "/etc/hostname": pod_hostname(ctx.pod, ctx.node) + "\n"}


def _path(ctx, p: str) -> str:
    if not p.startswith("/"):
        p = (ctx.cwd.rstrip("/") + "/" + p) if ctx.cwd != "/" else "/" + p
    return p


def make_cat(style: str):
    def cat(ctx, argv):
        fs = files(ctx)
        out, err, code = [], [], 0
        if len(argv) == 1:
            return ctx.stdin, "", 0
        for a in argv[1:]:
            if a == "-":
                out.append(ctx.stdin)
                continue
            p = _path(ctx, a)
            if p in fs:
                out.append(fs[p])
            else:
                code = 1
                err.append(f"cat: can't open '{a}': No such file or directory\n" if style == "busybox"
                           else f"cat: {a}: No such file or directory\n")
        return "".join(out), "".join(err), code
    return cat


def hostname_tool(ctx, argv):
    return pod_hostname(ctx.pod, ctx.node) + "\n", "", 0


def make_env(image_env=None):
    def env(ctx, argv):
        return "".join(f"{k}={v}\n" for k, v in process_env(ctx, image_env)), "", 0
    return env


def make_printenv(image_env=None):
    """printenv [VAR...] (busybox and coreutils alike): all variables, or each named value; exit 1
    when one of them is not set."""
    def printenv(ctx, argv):
        env = dict(process_env(ctx, image_env))
        if len(argv) == 1:
            return "".join(f"{k}={v}\n" for k, v in env.items()), "", 0
        found = [env[n] for n in argv[1:] if n in env]
        return "".join(f"{v}\n" for v in found), "", 0 if len(found) == len(argv) - 1 else 1
    return printenv


def echo(ctx, argv):
    args = argv[1:]
    newline = True
    if args and args[0] == "-n":
        newline, args = False, args[1:]
    return " ".join(args) + ("\n" if newline else ""), "", 0


ROOT_DIRS = ["bin", "dev", "etc", "home", "proc", "root", "sys", "tmp", "usr", "var"]


def make_ls(root_dirs=None):
    root = root_dirs or ROOT_DIRS

    def ls(ctx, argv):
        targets = [a for a in argv[1:] if not a.startswith("-")] or [ctx.cwd]
        out, err, code = [], [], 0
        fs = files(ctx)
        for t in targets:
            p = _path(ctx, t).rstrip("/") or "/"
            if p == "/":
                out += root
            elif p == "/etc":
                out += sorted(x.split("/")[-1] for x in fs)
            elif p in fs:
                out.append(t)
            elif p.lstrip("/") in root:
                continue
            else:
                code = 1
                err.append(f"ls: {t}: No such file or directory\n")
        return "".join(x + "\n" for x in out), "".join(err), code
    return ls


def sleep(ctx, argv):
    """No time passes in the simulation during one command; without an operand it fails (status 1)."""
    return "", "", 0 if len(argv) >= 2 else 1


def true(ctx, argv):
    return "", "", 0


def false(ctx, argv):
    return "", "", 1


def base_tools(style: str = "busybox", image_env=None, root_dirs=None) -> dict:
    return {"cat": make_cat(style), "hostname": hostname_tool, "env": make_env(image_env),
            "printenv": make_printenv(image_env), "echo": echo,
            "ls": make_ls(root_dirs), "sleep": sleep, "true": true, "false": false}
