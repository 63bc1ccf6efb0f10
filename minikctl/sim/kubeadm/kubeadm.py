"""`kubeadm` on a node: version, upgrade plan|apply|node, token create|list, certs
check-expiration. Texts are kubeadm v1.32/v1.33's. The binary's version is the node's installed
kubeadm package (sim/kubeadm/packages.py); what `upgrade apply` changes is what kubeadm changes:
the static pod manifests (the kubelet then restarts the components on the new images), the
kubeadm-config ConfigMap, kube-proxy's DaemonSet and CoreDNS's Deployment."""
from __future__ import annotations

import hashlib
import re

from minikctl.sim.kubeadm import cluster_config as cc
from minikctl.sim.kubeadm import packages as pk
import copy
import datetime
import json
import zlib
from minikctl import lazy

certs = lazy.module("minikctl.sim.kubeadm.certs")
fs_of = lazy.function("minikctl.images.fs", "fs_of")
join = lazy.module("minikctl.sim.kubeadm.join")
server = lazy.module("minikctl.api.server")
tabwriter = lazy.module("minikctl.printers.tabwriter")
tokens = lazy.module("minikctl.sim.kubeadm.tokens")
nodehost = lazy.module("minikctl.sim.nodehost")

STACK_HINT = "To see the stack trace of this error execute with --v=5 or higher\n"
MANIFESTS = "/etc/kubernetes/manifests"
COMPONENTS = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler")
LABEL_RE = re.compile(r"^v?(\d+)\.(\d+)$")
VERSION_RE = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)$")


def _fs(ctx):
    return fs_of(ctx)


def _binary(ctx) -> str:
    """v1.33.1: the installed kubeadm package's version."""
    return pk.upstream(pk.installed_version(ctx.view, ctx.node, "kubeadm") or pk.deb(pk.cluster_version(ctx.view)[1:]))


def _is_control_plane(ctx) -> bool:
    return _fs(ctx).read("/etc/kubernetes/admin.conf") is not None


def _vt(v: str) -> tuple[int, int, int]:
    m = VERSION_RE.match(v)
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else (0, 0, 0)


def _latest(minor: str) -> str | None:
    vs = pk.repo_versions(minor, "kubeadm")
    return pk.upstream(vs[0]) if vs else None


def kubeadm(ctx, argv):
    args = argv[1:]
    words = [a for a in args if not a.startswith("-")]
    if not words:
        return USAGE, "", 0
    cmd = words[0]
    if cmd == "version":
        return _version(ctx, args)
    if cmd == "upgrade":
        sub = words[1] if len(words) > 1 else ""
        if sub == "plan":
            return _plan(ctx, words[2:], args)
        if sub == "apply":
            return _apply(ctx, words[2:], args)
        if sub == "node":
            return _node(ctx, args)
        if sub == "diff":
            return "", "minikctl: kubeadm upgrade diff is not simulated\n", 126
        return UPGRADE_USAGE, "", 0
    if cmd == "token":
        return tokens.token(ctx, words[1:], args)
    if cmd == "certs":
        return certs.certs(ctx, words[1:], args)
    if cmd == "join":
        return join.join(ctx, args[args.index("join") + 1:])
    if cmd in ("init", "reset", "config", "kubeconfig", "alpha", "completion"):
        return "", f"minikctl: kubeadm {cmd} is not simulated (the cluster is already made)\n", 126
    return "", f'unknown command "{cmd}" for "kubeadm"\nTo see the stack trace of this error execute with --v=5 or higher\n', 1


def _version(ctx, args):
    v = _binary(ctx)
    fmt = ""
    for i, a in enumerate(args):
        if a in ("-o", "--output") and i + 1 < len(args):
            fmt = args[i + 1]
        elif a.startswith(("-o=", "--output=")):
            fmt = a.split("=", 1)[1]
        elif a.startswith("-o") and len(a) > 2:
            fmt = a[2:]
    major, minor, _ = _vt(v)
    go = (pk.data()["repositories"].get(f"v{major}.{minor}") or {}).get("go", "go1.23.3")
    commit = hashlib.sha1(v.encode()).hexdigest()
    if fmt == "short":
        return v + "\n", "", 0
    if fmt in ("json", "yaml"):
        info = {"major": str(major), "minor": str(minor), "gitVersion": v, "gitCommit": commit,
                "gitTreeState": "clean", "buildDate": "", "goVersion": go, "compiler": "gc",
                "platform": "linux/amd64"}
        if fmt == "json":
            return json.dumps({"clientVersion": info}, indent=2) + "\n", "", 0
        return "clientVersion:\n" + "".join(f"  {k}: {json.dumps(val) if k in ('major', 'minor') else val}\n"
                                           for k, val in info.items()), "", 0
    if fmt:
        return "", f'error: invalid output format: {fmt}\n' + STACK_HINT, 1
    emu = 'EmulationMajor:"", EmulationMinor:"", MinCompatibilityMajor:"", MinCompatibilityMinor:"", ' \
        if (major, minor) >= (1, 33) else ""
    return (f'kubeadm version: &version.Info{{Major:"{major}", Minor:"{minor}", {emu}GitVersion:"{v}", '
            f'GitCommit:"{commit}", GitTreeState:"clean", BuildDate:"", GoVersion:"{go}", Compiler:"gc", '
            f'Platform:"linux/amd64"}}\n'), "", 0


def _no_admin() -> tuple[str, str, int]:
    return "", ('couldn\'t create a Kubernetes client from file "/etc/kubernetes/admin.conf": failed to load admin '
                'kubeconfig: open /etc/kubernetes/admin.conf: no such file or directory\n' + STACK_HINT), 1


def _preamble(ctx) -> str:
    return ('[upgrade/config] Reading configuration from the "kubeadm-config" ConfigMap in namespace "kube-system"...\n'
            "[upgrade/config] Use 'kubeadm init phase upload-config --config your-config-file' to re-upload it.\n")


# -- plan -------------------------------------------------------------------------------------
def _plan(ctx, words, args):
    if not _is_control_plane(ctx):
        return _no_admin()
    cc.ensure(ctx.view)
    cluster_v = cc.configured_version(ctx.view)
    kubeadm_v = _binary(ctx)
    cmaj, cmin, _ = _vt(cluster_v)
    kmaj, kmin, _ = _vt(kubeadm_v)
    out, err = "[preflight] Running pre-flight checks.\n" + _preamble(ctx), ""
    out += "[upgrade] Running cluster health checks\n[upgrade] Fetching available versions to upgrade to\n"
    out += f"[upgrade/versions] Cluster version: {cluster_v.lstrip('v')}\n"
    out += f"[upgrade/versions] kubeadm version: {kubeadm_v}\n"
    target = (words[0] if words else None)
    if target:
        t = _resolve(target)
        if t is None:
            return out, f"[upgrade/versions] FATAL: unable to parse version {target!r}\n" + STACK_HINT, 1
        target = t
    else:
        target = _latest(f"v{kmaj}.{kmin}") or kubeadm_v
    stable = max((_latest(m) for m in pk.data()["repositories"]), key=_vt)
    if stable and _vt(stable)[:2] > (kmaj, kmin) and not words:
        # dl.k8s.io's stable is a minor ahead of this kubeadm: it falls back to its own series
        t = datetime.datetime.fromtimestamp(ctx.view.now, tz=datetime.timezone.utc)
        err = (f"I{t.strftime('%m%d %H:%M:%S')}.{t.microsecond:06d}   {1000 + zlib.crc32(str(ctx.view.now).encode()) % 30000} "
               f"version.go:261] remote version is much newer: {stable}; falling back to: stable-{kmaj}.{kmin}\n")
    out += f"[upgrade/versions] Target version: {target}\n"
    series_latest = _latest(f"v{cmaj}.{cmin}") or cluster_v
    out += f"[upgrade/versions] Latest version in the v{cmaj}.{cmin} series: {series_latest}\n\n"
    upgrades = []
    if _vt(series_latest) > _vt(cluster_v):
        upgrades.append((f"version in the v{cmaj}.{cmin} series", series_latest))
    if _vt(target)[:2] > (cmaj, cmin) or (not upgrades and _vt(target) > _vt(cluster_v)):
        upgrades.append(("stable version", target))
    if not upgrades:
        return out + "Awesome, you're up-to-date! Enjoy!\n", err, 0
    for desc, to in upgrades:
        to_minor = pk.minor_of(to)
        imgs = (pk.data()["repositories"].get(to_minor) or {}).get("images") or {}
        kubelets = sorted(cc.kubelet_versions(ctx.view), key=lambda x: (pk.version_key(x[1]), x[0]))
        out += "Components that must be upgraded manually after you have upgraded the control plane with 'kubeadm upgrade apply':\n"
        out += tabwriter.render([["COMPONENT", "NODE", "CURRENT", "TARGET"]] +
                                [["kubelet", n, v, to] for n, v in kubelets], minwidth=10, padding=3)
        out += f"\nUpgrade to the latest {desc}:\n\n"
        rows = [["COMPONENT", "NODE", "CURRENT", "TARGET"]]
        for comp in ("kube-apiserver", "kube-controller-manager", "kube-scheduler"):
            rows += [[comp, n, v, to] for n, v in cc.static_pod_versions(ctx.view, comp)]
        rows.append(["kube-proxy", "", cc.workload_tag(ctx.view, "DaemonSet", "kube-proxy").lstrip("v"), to])
        rows.append(["CoreDNS", "", cc.workload_tag(ctx.view, "Deployment", "coredns"), imgs.get("coredns", "")])
        rows += [["etcd", n, v, imgs.get("etcd", v)] for n, v in cc.static_pod_versions(ctx.view, "etcd")]
        out += tabwriter.render(rows, minwidth=10, padding=3)
        out += f"\nYou can now apply the upgrade by executing the following command:\n\n\tkubeadm upgrade apply {to}\n\n"
        if _vt(kubeadm_v) < _vt(to):
            out += f"Note: Before you can perform this upgrade, you have to update kubeadm to {to}.\n\n"
        out += "_____________________________________________________________________\n\n"
    out += ('\nThe table below shows the current state of component configs as understood by this version of kubeadm.\n'
            'Configs that have a "yes" mark in the "MANUAL UPGRADE REQUIRED" column require manual config upgrade or\n'
            'resetting to kubeadm defaults before a successful upgrade can be performed. The version to manually\n'
            'upgrade to is denoted in the "PREFERRED VERSION" column.\n\n')
    out += tabwriter.render([["API GROUP", "CURRENT VERSION", "PREFERRED VERSION", "MANUAL UPGRADE REQUIRED"],
                             ["kubeproxy.config.k8s.io", "v1alpha1", "v1alpha1", "no"],
                             ["kubelet.config.k8s.io", "v1beta1", "v1beta1", "no"]], minwidth=10, padding=3)
    out += "_____________________________________________________________________\n\n"
    return out, err, 0


def _resolve(text: str) -> str | None:
    """kubeadm's KubernetesReleaseVersion: v1.33.1 as is; a v1.33 label -> stable-1.33's version."""
    if VERSION_RE.match(text):
        return "v" + text.lstrip("v")
    m = LABEL_RE.match(text)
    if m:
        return _latest(f"v{m.group(1)}.{m.group(2)}")
    return None


# -- apply ------------------------------------------------------------------------------------
def _apply(ctx, words, args):
    if not _is_control_plane(ctx):
        return _no_admin()
    if not words:
        return "", "missing one or more required arguments. Required arguments: [version]\n" + STACK_HINT, 1
    cluster = ctx.view
    cc.ensure(cluster)
    target = _resolve(words[0])
    if target is None:
        return "", (f'[upgrade/version] FATAL: the --version argument is invalid due to these errors:\n\n\t- unable to '
                    f'parse version {words[0]!r}\n\nCan be bypassed if you pass the --force flag\n' + STACK_HINT), 1
    cluster_v = cc.configured_version(cluster)
    kubeadm_v = _binary(ctx)
    force = "--force" in args or "-f" in args
    out = _preamble(ctx).replace("[upgrade/config]", "[upgrade]")
    out += "[upgrade/preflight] Running preflight checks\n[upgrade] Running cluster health checks\n"
    out += f'[upgrade/preflight] You have chosen to upgrade the cluster version to "{target}"\n'
    out += f"[upgrade/versions] Cluster version: {cluster_v}\n[upgrade/versions] kubeadm version: {kubeadm_v}\n"
    errs = []
    if _vt(target) > _vt(kubeadm_v):
        errs.append(f'Specified version to upgrade to "{target}" is higher than the kubeadm version "{kubeadm_v}". '
                    "Upgrade kubeadm first using the tool you used to install kubeadm")
    if _vt(target)[:2] > (_vt(cluster_v)[0], _vt(cluster_v)[1] + 1):
        errs.append(f'Specified version to upgrade to "{target}" is too high; kubeadm can upgrade only 1 minor '
                    "version at a time")
    if _vt(target) < _vt(cluster_v):
        errs.append(f'Specified version to upgrade to "{target}" is equal to or lower than the cluster version '
                    f'"{cluster_v}". Downgrades are not supported yet')
    if errs and not force:
        return out, ("[upgrade/version] FATAL: the --version argument is invalid due to these errors:\n\n"
                     + "".join(f"\t- {e}\n" for e in errs) + "\nCan be bypassed if you pass the --force flag\n"
                     + STACK_HINT), 1
    yes = bool({"-y", "--yes"} & set(args)) or force
    note = ""
    if not yes:
        answer = (ctx.stdin or "").strip().lower()
        out += "[upgrade] Are you sure you want to proceed? [y/N]: "
        if not answer:      # nothing piped in: the learner at the prompt would type y
            answer = "y"
            note = "minikctl: answered y at kubeadm's prompt (typing into a running command is not simulated; -y skips the prompt)\n"
        if answer not in ("y", "yes"):
            return out, "won't proceed; the user didn't answer (Y|y) in order to continue\n" + STACK_HINT, 1
        out += "y\n" if note else "\n"
    now = datetime.datetime.fromtimestamp(cluster.now, tz=datetime.timezone.utc)
    stamp = now.strftime("%Y-%m-%d-%H-%M-%S")
    tmp_n = cluster.rng.randrange(10 ** 9, 4 * 10 ** 9)
    kcfg_n = cluster.rng.randrange(10 ** 9, 4 * 10 ** 9)
    imgs = (pk.data()["repositories"].get(pk.minor_of(target)) or {}).get("images") or {}
    out += ("[upgrade/preflight] Pulling images required for setting up a Kubernetes cluster\n"
            "[upgrade/preflight] This might take a minute or two, depending on the speed of your internet connection\n"
            "[upgrade/preflight] You can also perform this action beforehand using 'kubeadm config images pull'\n")
    out += f'[upgrade/control-plane] Upgrading your static Pod-hosted control plane to version "{target}" (timeout: 5m0s)...\n'
    out += f'[upgrade/staticpods] Writing new Static Pod manifests to "/etc/kubernetes/tmp/kubeadm-upgraded-manifests{tmp_n}"\n'
    fs = _fs(ctx)
    backup = f"/etc/kubernetes/tmp/kubeadm-backup-manifests-{stamp}"
    renew = {"etcd": ["etcd-server", "etcd-peer", "etcd-healthcheck-client"],
             "kube-apiserver": ["apiserver", "apiserver-kubelet-client", "front-proxy-client", "apiserver-etcd-client"],
             "kube-controller-manager": ["controller-manager.conf"], "kube-scheduler": ["scheduler.conf"]}
    new_image = {"etcd": f"registry.k8s.io/etcd:{imgs.get('etcd', '3.5.16-0')}",
                 "kube-apiserver": f"registry.k8s.io/kube-apiserver:{target}",
                 "kube-controller-manager": f"registry.k8s.io/kube-controller-manager:{target}",
                 "kube-scheduler": f"registry.k8s.io/kube-scheduler:{target}"}
    fs.mkdir(backup, parents=True)
    for comp in COMPONENTS:
        path = f"{MANIFESTS}/{comp}.yaml"
        text = fs.read(path)
        if text is None:
            return out, (f"[upgrade/apply] FATAL: couldn't upgrade control plane. kubeadm has tried to recover everything "
                         f"into the earlier state. Errors faced: open {path}: no such file or directory\n" + STACK_HINT), 1
        out += f'[upgrade/staticpods] Preparing for "{comp}" upgrade\n'
        out += "".join(f"[upgrade/staticpods] Renewing {c} certificate\n" for c in renew[comp])
        new = re.sub(r"^(\s*image:\s*)\S+$", lambda m: m.group(1) + new_image[comp], text, count=1, flags=re.M)
        fs.write(f"{backup}/{comp}.yaml", text)
        if new != text:
            fs.write(path, new)
        out += (f'[upgrade/staticpods] Moving new manifest to "{path}" and backing up old manifest to '
                f'"{backup}/{comp}.yaml"\n')
        out += ("[upgrade/staticpods] Waiting for the kubelet to restart the component\n"
                "[upgrade/staticpods] This can take up to 5m0s\n"
                f"[apiclient] Found 1 Pods for label selector component={comp}\n"
                f'[upgrade/staticpods] Component "{comp}" upgraded successfully!\n')
        if comp == "etcd":
            out += "[upgrade/etcd] Waiting for etcd to become available\n"
    _kubelet_sees(cluster, ctx.node)
    out += "[upgrade/control-plane] The control plane instance for this node was successfully upgraded!\n"
    cc.set_version(cluster, target)
    cluster.profile["kubernetesVersion"] = target
    cluster.meta.setdefault("profile", cluster.profile)["kubernetesVersion"] = target
    out += ('[upload-config] Storing the configuration used in ConfigMap "kubeadm-config" in the "kube-system" Namespace\n'
            '[kubelet] Creating a ConfigMap "kubelet-config" in namespace kube-system with the configuration for the kubelets in the cluster\n'
            "[upgrade/kubeconfig] The kubeconfig files for this node were successfully upgraded!\n")
    err = (f"W{now.strftime('%m%d %H:%M:%S')}.{now.microsecond:06d}    {1000 + tmp_n % 9000} postupgrade.go:117] Using "
           f"temporary directory /etc/kubernetes/tmp/kubeadm-kubelet-config{kcfg_n} for kubelet config. To override it set "
           "the environment variable KUBEADM_UPGRADE_DRYRUN_DIR\n")
    out += _kubelet_config(ctx, kcfg_n)
    out += ("[upgrade/bootstrap-token] Configuring bootstrap token and cluster-info RBAC rules\n"
            "[bootstrap-token] Configured RBAC rules to allow Node Bootstrap tokens to get nodes\n"
            "[bootstrap-token] Configured RBAC rules to allow Node Bootstrap tokens to post CSRs in order for nodes to get long term certificate credentials\n"
            "[bootstrap-token] Configured RBAC rules to allow the csrapprover controller automatically approve CSRs from a Node Bootstrap Token\n"
            "[bootstrap-token] Configured RBAC rules to allow certificate rotation for all node client certificates in the cluster\n")
    _addons(cluster, target, imgs)
    out += "[addons] Applied essential addon: CoreDNS\n[addons] Applied essential addon: kube-proxy\n\n"
    out += f'[upgrade] SUCCESS! A control plane node of your cluster was upgraded to "{target}".\n\n'
    out += "[upgrade] Now please proceed with upgrading the rest of the nodes by following the right order.\n"
    return out, note + err, 0


def _kubelet_config(ctx, n: int) -> str:
    fs = _fs(ctx)
    cur = fs.read("/var/lib/kubelet/config.yaml")
    d = f"/etc/kubernetes/tmp/kubeadm-kubelet-config{n}"
    fs.mkdir(d, parents=True)
    if cur is not None:
        fs.write(f"{d}/config.yaml", cur)
    return (f"[upgrade] Backing up kubelet config file to {d}/config.yaml\n"
            '[kubelet-start] Writing kubelet configuration to file "/var/lib/kubelet/config.yaml"\n'
            "[upgrade/kubelet-config] The kubelet configuration for this node was successfully upgraded!\n")


def _kubelet_sees(cluster, node: str) -> None:
    """The kubelet notices the rewritten manifests (static pods restart on the new images)."""
    try:
        pass
    except ImportError:
        return
    nodehost.changed(cluster, node)


def _addons(cluster, target: str, imgs: dict) -> None:
    for kind, name, image in (("DaemonSet", "kube-proxy", f"registry.k8s.io/kube-proxy:{target}"),
                              ("Deployment", "coredns", f"registry.k8s.io/coredns/coredns:{imgs.get('coredns', '')}")):
        obj = cluster.get(kind, "kube-system", name)
        if obj is None or not image.rsplit(":", 1)[-1]:
            continue
        obj = copy.deepcopy(obj)
        c = obj["spec"]["template"]["spec"]["containers"][0]
        if c.get("image") != image:
            c["image"] = image
            obj["metadata"]["generation"] = int(obj["metadata"].get("generation") or 1) + 1
            server.update_internal(cluster, obj)


# -- node -------------------------------------------------------------------------------------
def _node(ctx, args):
    fs = _fs(ctx)
    if fs.read("/etc/kubernetes/kubelet.conf") is None:
        return "", ('couldn\'t create a Kubernetes client from file "/etc/kubernetes/kubelet.conf": failed to load admin '
                    'kubeconfig: open /etc/kubernetes/kubelet.conf: no such file or directory\n' + STACK_HINT), 1
    cluster = ctx.view
    cc.ensure(cluster)
    out = _preamble(ctx).replace("[upgrade/config]", "[upgrade]")
    out += "[upgrade/preflight] Running pre-flight checks\n"
    cp = _is_control_plane(ctx)
    now = datetime.datetime.fromtimestamp(cluster.now, tz=datetime.timezone.utc)
    n = cluster.rng.randrange(10 ** 9, 4 * 10 ** 9)
    err = (f"W{now.strftime('%m%d %H:%M:%S')}.{now.microsecond:06d}    {1000 + n % 9000} postupgrade.go:117] Using "
           f"temporary directory /etc/kubernetes/tmp/kubeadm-kubelet-config{n} for kubelet config. To override it set "
           "the environment variable KUBEADM_UPGRADE_DRYRUN_DIR\n")
    if cp:
        return out, ("minikctl: kubeadm upgrade node on the control plane that ran kubeadm upgrade apply is not "
                     "simulated (the cluster has one control-plane node; `upgrade apply` upgraded it)\n"), 126
    out += ("[upgrade/preflight] Skipping prepull. Not a control plane node.\n"
            "[upgrade/control-plane] Skipping phase. Not a control plane node.\n"
            "[upgrade/kubeconfig] Skipping phase. Not a control plane node.\n")
    out += _kubelet_config(ctx, n)
    out += ("[upgrade/addon] Skipping the addon/coredns phase. Not a control plane node.\n"
            "[upgrade/addon] Skipping the addon/kube-proxy phase. Not a control plane node.\n")
    return out, err, 0


USAGE = """

    ┌──────────────────────────────────────────────────────────┐
    │ KUBEADM                                                  │
    │ Easily bootstrap a secure Kubernetes cluster             │
    │                                                          │
    │ Please give us feedback at:                              │
    │ https://github.com/kubernetes/kubeadm/issues             │
    └──────────────────────────────────────────────────────────┘

Usage:
  kubeadm [command]

Available Commands (simulated by minikctl):
  certs       Commands related to handling kubernetes certificates
  join        Run this on any machine you wish to join an existing cluster
  token       Manage bootstrap tokens
  upgrade     Upgrade your cluster smoothly to a newer version with this command
  version     Print the version of kubeadm
"""
UPGRADE_USAGE = """Upgrade your cluster smoothly to a newer version with this command

Usage:
  kubeadm upgrade [flags]
  kubeadm upgrade [command]

Available Commands:
  apply       Upgrade your Kubernetes cluster to the specified version
  diff        Show what differences would be applied to existing static pod manifests. See also: kubeadm upgrade apply --dry-run
  node        Upgrade commands for a node in the cluster
  plan        Check which versions are available to upgrade to and validate whether your current cluster is upgradeable.
"""
