"""`kubeadm join HOST:6443 --token T --discovery-token-ca-cert-hash sha256:H` on a machine that is
not a node yet (sim/nodehost/spare.py), as kubeadm v1.32 runs it for a worker:

1. flag validation (JoinConfiguration's: a CA hash or --discovery-token-unsafe-skip-ca-verification,
   a token of the form [a-z0-9]{6}.[a-z0-9]{16}, HOST:PORT);
2. preflight: /etc/kubernetes/kubelet.conf and /etc/kubernetes/pki/ca.crt must not exist, port
   10250 must be free (no running kubelet) - a node that already joined fails here;
3. discovery: the API server must answer at HOST:PORT; the token must be one the cluster knows
   (the bootstrap-token Secret in kube-system, unexpired, for signing - else cluster-info carries
   no JWS signature for its id), its secret must match, and the cluster CA's public key must hash
   (SHA-256 over the SubjectPublicKeyInfo, pubkeypin.Hash) to one of the pinned values;
4. kubelet-start: the kubelet's files (config.yaml, kubeadm-flags.env, the CA, after TLS
   bootstrap its client certificate and kubelet.conf), the kubelet restarted, the Node
   registered and the kubelet's client CSR approved and issued.

The Node starts NotReady ("cni plugin not initialized"); the node's CNI configuration is
installed when its DaemonSet pods (kube-proxy) run there, and the kubelet then reports Ready
(sim/controllers/nodelifecycle.py, `cni_pending`). Texts are kubeadm's cmd/join.go,
phases/join, discovery/token and pubkeypin.
"""
from __future__ import annotations

import re
import base64
import ipaddress
from minikctl import lazy

apiserver_url = lazy.function("minikctl.sim.profile", "apiserver_url")
bootstrap = lazy.module("minikctl.sim.bootstrap")
ca_hash = lazy.function("minikctl.sim.kubeadm.tokens", "ca_hash")
configs = lazy.module("minikctl.sim.nodehost.configs")
control_plane = lazy.function("minikctl.sim.profile", "control_plane")
controlplane = lazy.module("minikctl.sim.nodehost.controlplane")
ec = lazy.module("cryptography.hazmat.primitives.asymmetric.ec")
fs_of = lazy.function("minikctl.images.fs", "fs_of")
hashes = lazy.module("cryptography.hazmat.primitives.hashes")
kubeadm_files = lazy.module("minikctl.sim.nodehost.kubeadm_files")
kubelet_host = lazy.module("minikctl.sim.nodehost.kubelet_host")
names = lazy.module("minikctl.sim.names")
nodehost = lazy.module("minikctl.sim.nodehost")
nodelifecycle = lazy.module("minikctl.sim.controllers.nodelifecycle")
packages = lazy.module("minikctl.sim.kubeadm.packages")
parse = lazy.function("minikctl.timeutil", "parse")
pki = lazy.module("minikctl.sim.nodehost.pki")
rules = lazy.module("minikctl.net.proxy.rules")
serialization = lazy.module("cryptography.hazmat.primitives.serialization")
server = lazy.module("minikctl.api.server")
spare = lazy.module("minikctl.sim.nodehost.spare")
units = lazy.module("minikctl.sim.nodehost.units")
x509 = lazy.module("cryptography.x509")
oid = lazy.module("cryptography.x509.oid")

STACK_HINT = "To see the stack trace of this error execute with --v=5 or higher\n"
TOKEN_RE = re.compile(r"^([a-z0-9]{6})\.([a-z0-9]{16})$")
CNI_PENDING = "cniPending"
NETWORK_NOT_READY = ("container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady "
                     "message:Network plugin returns error: cni plugin not initialized")
VALUE_FLAGS = {"--token", "--discovery-token", "--tls-bootstrap-token", "--discovery-token-ca-cert-hash",
               "--node-name", "--ignore-preflight-errors", "--cri-socket", "--config", "--discovery-file",
               "--certificate-key", "--apiserver-advertise-address", "--apiserver-bind-port", "--patches",
               "--skip-phases", "--v", "-v"}
NOT_SIMULATED = {"--control-plane": "joining a control-plane node (the cluster has one control plane)",
                 "--config": "kubeadm join --config", "--discovery-file": "file-based discovery (--discovery-file)",
                 "--dry-run": "kubeadm join --dry-run", "--skip-phases": "kubeadm join --skip-phases",
                 "--patches": "kubeadm join --patches"}


def _parse(args: list[str]) -> tuple[list[str], dict[str, list[str]], set[str]]:
    pos, vals, bools = [], {}, set()
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("-") and "=" in a:
            k, v = a.split("=", 1)
            vals.setdefault(k, []).append(v)
        elif a in VALUE_FLAGS and i + 1 < len(args):
            vals.setdefault(a, []).append(args[i + 1])
            i += 1
        elif a.startswith("-"):
            bools.add(a)
        else:
            pos.append(a)
        i += 1
    return pos, vals, bools


def _one(vals, name) -> str:
    got = vals.get(name) or [""]
    return got[-1]


def join(ctx, args: list[str]) -> tuple[str, str, int]:
    pos, vals, bools = _parse(args)
    for flag, what in NOT_SIMULATED.items():
        if flag in vals or flag in bools:
            return "", f"minikctl: {what} is not simulated\n", 126
    if "phase" in pos[:1]:
        return "", "minikctl: kubeadm join phase is not simulated\n", 126
    token = _one(vals, "--token")
    disc_token = _one(vals, "--discovery-token") or token
    tls_token = _one(vals, "--tls-bootstrap-token") or token
    hashes = [h for v in vals.get("--discovery-token-ca-cert-hash") or [] for h in v.split(",") if h]
    skip_ca = "--discovery-token-unsafe-skip-ca-verification" in bools
    if not pos:
        return "", 'discovery: Invalid value: "": bootstrapToken or file must be set\n' + STACK_HINT, 1
    endpoint = pos[0]
    errs = []
    if not hashes and not skip_ca:
        errs.append('discovery.bootstrapToken.caCertHashes: Invalid value: "": using token-based discovery without '
                    "caCertHashes can be unsafe. Set unsafeSkipCAVerification as true in your kubeadm config file or "
                    "pass --discovery-token-unsafe-skip-ca-verification flag to continue")
    if not TOKEN_RE.match(disc_token):
        errs.append(f'discovery.bootstrapToken.token: Invalid value: "{disc_token}": the bootstrap token is invalid')
    host, port = _split_endpoint(endpoint)
    if port is None:
        errs.append(f'discovery.bootstrapToken.apiServerEndpoint: Invalid value: "{endpoint}": address {endpoint}: '
                    "missing port in address")
    if not TOKEN_RE.match(tls_token):
        errs.append(f'discovery.tlsBootstrapToken: Invalid value: "{tls_token}": the bootstrap token is invalid')
    if errs:
        text = errs[0] if len(errs) == 1 else "[" + ", ".join(errs) + "]"
        return "", text + "\n" + STACK_HINT, 1

    cluster = ctx.view
    node = ctx.node
    fs = fs_of(ctx)
    ignore = {x.strip().lower() for v in vals.get("--ignore-preflight-errors") or [] for x in v.split(",")}
    out = "[preflight] Running pre-flight checks\n"
    if kubelet_host.runtime_down(cluster, node):
        return out, ("minikctl: kubeadm join with the container runtime stopped is not simulated (kubeadm's CRI "
                     "check would fail: `systemctl start containerd` first)\n"), 126
    problems = _preflight(ctx, fs)
    fatal = [(name, msg) for name, msg in problems if name.lower() not in ignore and "all" not in ignore]
    for name, msg in problems:
        if (name, msg) not in fatal:
            out += f"\t[WARNING {name}]: {msg}\n"
    if not units.state(cluster, node, "kubelet").get("enabled", True):
        out += "\t[WARNING Service-Kubelet]: kubelet service is not enabled, please run 'systemctl enable kubelet.service'\n"
    if fatal:
        return out, ("error execution phase preflight: [preflight] Some fatal errors occurred:\n"
                     + "".join(f"\t[ERROR {n}]: {m}\n" for n, m in fatal)
                     + "[preflight] If you know what you are doing, you can make a check non-fatal with "
                       "`--ignore-preflight-errors=...`\n" + STACK_HINT), 1

    why = _discover(cluster, host, port, disc_token, hashes)
    if why:
        return out, f"error execution phase preflight: couldn't validate the identity of the API Server: {why}\n" \
            + STACK_HINT, 1
    out += ('[preflight] Reading configuration from the "kubeadm-config" ConfigMap in namespace "kube-system"...\n'
            "[preflight] Use 'kubeadm init phase upload-config --config your-config-file' to re-upload it.\n")
    name = _one(vals, "--node-name") or node
    existing = cluster.get("Node", None, name)
    if existing is not None and _ready(existing):
        return out, (f'error execution phase kubelet-start: a Node with name "{name}" and status "Ready" already '
                     "exists in the cluster. You must delete the existing Node or change the name of this new "
                     "joining Node\n" + STACK_HINT), 1
    if name != node:
        return out, "minikctl: kubeadm join --node-name other than the machine's hostname is not simulated\n", 126
    if not _tls_token_known(cluster, tls_token):
        # the kubelet's TLS bootstrap is refused (401): kubeadm waits for kubelet.conf until it times out
        return out, "minikctl: a --tls-bootstrap-token other than a valid token is not simulated\n", 126
    out += ('[kubelet-start] Writing kubelet configuration to file "/var/lib/kubelet/config.yaml"\n'
            '[kubelet-start] Writing kubelet environment file with flags to file "/var/lib/kubelet/kubeadm-flags.env"\n'
            "[kubelet-start] Starting the kubelet\n"
            "[kubelet-check] Waiting for a healthy kubelet at http://127.0.0.1:10248/healthz. This can take up to 4m0s\n")
    ns = 500_000_000 + cluster.rng.randrange(0, 510_000_000)     # kubeadm polls /healthz every 500 ms
    out += f"[kubelet-check] The kubelet is healthy after {_go_duration(ns)}\n"
    out += "[kubelet-start] Waiting for the kubelet to perform the TLS Bootstrap\n"
    _do_join(cluster, node, fs, tls_token.split(".")[0])
    out += ("\nThis node has joined the cluster:\n"
            "* Certificate signing request was sent to apiserver and a response was received.\n"
            "* The Kubelet was informed of the new secure connection details.\n\n"
            "Run 'kubectl get nodes' on the control-plane to see this node join the cluster.\n\n")
    return out, "", 0


def _go_duration(ns: int) -> str:
    """time.Duration.String() of a duration between 1 ms and 1 min, to the nanosecond."""
    if ns < 1_000_000_000:
        whole, frac = divmod(ns, 1_000_000)
        unit = "ms"
        text = f"{whole}.{frac:06d}".rstrip("0").rstrip(".")
    else:
        whole, frac = divmod(ns, 1_000_000_000)
        unit = "s"
        text = f"{whole}.{frac:09d}".rstrip("0").rstrip(".")
    return text + unit


def _split_endpoint(endpoint: str) -> tuple[str, int | None]:
    if endpoint.startswith("["):
        m = re.match(r"^\[([^\]]+)\]:(\d+)$", endpoint)
        return (m.group(1), int(m.group(2))) if m else (endpoint, None)
    if endpoint.count(":") != 1:
        return endpoint, None
    h, p = endpoint.rsplit(":", 1)
    return (h, int(p)) if p.isdigit() else (h, None)


def _preflight(ctx, fs) -> list[tuple[str, str]]:
    """RunJoinNodeChecks for a worker, in kubeadm's order (the failing ones)."""
    got = []
    if fs.read("/etc/kubernetes/kubelet.conf") is not None:
        got.append(("FileAvailable--etc-kubernetes-kubelet.conf", "/etc/kubernetes/kubelet.conf already exists"))
    if fs.read("/etc/kubernetes/bootstrap-kubelet.conf") is not None:
        got.append(("FileAvailable--etc-kubernetes-bootstrap-kubelet.conf",
                    "/etc/kubernetes/bootstrap-kubelet.conf already exists"))
    if kubelet_host.running(ctx.view, ctx.node):
        got.append(("Port-10250", "Port 10250 is in use"))
    if fs.read("/etc/kubernetes/pki/ca.crt") is not None:
        got.append(("FileAvailable--etc-kubernetes-pki-ca.crt", "/etc/kubernetes/pki/ca.crt already exists"))
    return got


def _resolve(cluster, host: str) -> str | None:
    """The address a name in the join command reaches: an IP as is, a node's or spare host's name
    (as the machines' /etc/hosts know them)."""
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    for n in list(cluster.profile.get("nodes") or []) + spare.entries(cluster):
        if n.get("name") == host:
            return n.get("internalIP")
    if cluster.get("Node", None, host) is not None:
        return rules.node_ip(cluster, host)
    return None


def _discover(cluster, host: str, port: int, token: str, hashes: list[str]) -> str | None:
    """Why token discovery fails (discovery/token.retrieveValidatedConfigInfo), or None."""
    url = (f"https://{host}:{port}/api/v1/namespaces/kube-public/configmaps/cluster-info?timeout=10s")
    ip = _resolve(cluster, host)
    if ip is None:
        ns = ((cluster.profile.get("upstream") or {}).get("nameserver")) or "127.0.0.53"
        return f'failed to request the cluster-info ConfigMap: Get "{url}": dial tcp: lookup {host} on {ns}:53: no such host'
    api_port = int(apiserver_url(cluster.profile).rsplit(":", 1)[-1])
    cp_ip = control_plane(cluster.profile).get("internalIP")
    known = {rules.node_ip(cluster, n) for n in rules.node_names(cluster)} | \
        {e.get("internalIP") for e in spare.entries(cluster)}
    if ip not in known:
        return f'failed to request the cluster-info ConfigMap: Get "{url}": dial tcp {host}:{port}: i/o timeout'
    if ip != cp_ip or port != api_port or controlplane.apiserver_down(cluster):
        return (f'failed to request the cluster-info ConfigMap: Get "{url}": dial tcp {host}:{port}: connect: '
                "connection refused")
    tid, secret = token.split(".")
    data = _token_data(cluster, tid)
    if data is None or data.get("usage-bootstrap-signing") != "true":
        return f'could not find a JWS signature in the cluster-info ConfigMap for token ID "{tid}"'
    pins = set()
    for h in hashes:
        parts = h.split(":")
        if len(parts) != 2:
            return ('invalid discovery token CA certificate hash: invalid hash, expected "format:hex-value". '
                    "Known format(s) are: sha256")
        fmt, value = parts
        if fmt.lower() != "sha256":
            return f'invalid discovery token CA certificate hash: unknown hash format "{fmt}". Known format(s) are: sha256'
        if len(value) // 2 != 32:
            return (f'invalid discovery token CA certificate hash: invalid hash "{h}", expected a 32 byte SHA-256 hash, '
                    f"found {len(value) // 2} bytes")
        try:
            bytes.fromhex(value)
        except ValueError:
            return (f'invalid discovery token CA certificate hash: invalid hash "{h}", could not decode SHA-256 from '
                    f"hex: encoding/hex: invalid byte: {_bad_hex(value)}")
        pins.add(value.lower())
    if data.get("token-secret") != secret:
        return "failed to verify JWS signature of received cluster info object, can't trust this API Server"
    if pins:
        ca_cert, _ = pki.cluster_ca(cluster)
        actual = ca_hash(pki._pem_cert(ca_cert))
        if actual.split(":", 1)[1] not in pins:
            return f'cluster CA found in cluster-info ConfigMap is invalid: none of the public keys "{actual}" are pinned'
    return None


def _bad_hex(value: str) -> str:
    for ch in value:
        if ch not in "0123456789abcdefABCDEF":
            return f"U+{ord(ch):04X} {ch!r}".replace('"', "'")
    return ""


def _token_data(cluster, tid: str) -> dict | None:
    """The bootstrap token's Secret, decoded; None when it is missing or expired (the token
    cleaner deletes it, the bootstrap signer drops its JWS signature)."""
    s = cluster.get("Secret", "kube-system", f"bootstrap-token-{tid}")
    if s is None or s.get("type") != "bootstrap.kubernetes.io/token":
        return None
    d = {k: base64.b64decode(v).decode(errors="replace") for k, v in (s.get("data") or {}).items()}
    exp = d.get("expiration")
    if exp and (parse(exp) or 0) <= cluster.now:
        return None
    return d


def _tls_token_known(cluster, token: str) -> bool:
    tid, secret = token.split(".")
    d = _token_data(cluster, tid)
    return d is not None and d.get("token-secret") == secret and d.get("usage-bootstrap-authentication") == "true"


def _ready(node: dict) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (node.get("status") or {}).get("conditions") or [])


def _do_join(cluster, node: str, fs, token_id: str) -> None:
    """What kubeadm and the kubelet do once discovery succeeded."""
    for path, text in kubeadm_files.join_files(cluster, node).items():
        fs.mkdir(path.rsplit("/", 1)[0], parents=True)
        fs.write(path, text)
    units.stop(cluster, node, "kubelet")           # kubeletphase.TryStopKubelet
    e = spare.entry(cluster, node) or {"name": node, "internalIP": kubeadm_files._ip(cluster, node)}
    spare.mark_joined(cluster, node)
    obj = bootstrap._node(cluster.profile, {"name": node, "internalIP": e["internalIP"]}, cluster.now)
    v = packages.binary_version(cluster, node, "kubelet") or packages.upstream(
        packages.installed_version(cluster, node, "kubelet") or packages.deb(packages.cluster_version(cluster)[1:]))
    obj["status"]["nodeInfo"]["kubeletVersion"] = v
    obj["status"]["nodeInfo"]["kubeProxyVersion"] = v
    for c in obj["status"]["conditions"]:
        if c["type"] == "Ready":
            c.update(status="False", reason="KubeletNotReady", message=NETWORK_NOT_READY)
    nodelifecycle._set_taints(obj, nodelifecycle.NOT_READY, True, cluster.timestamp())
    old = cluster.get("Node", None, node)
    if old is not None:
        server.delete_internal(cluster, old)
    created = server.create_internal(cluster, obj)
    cluster.record_event(created, "Normal", "Starting", "Starting kubelet.", "kubelet")
    cluster.record_event(created, "Normal", "RegisteredNode", f"Node {node} event: Registered Node {node} in Controller",
                         "node-controller")
    cluster.meta.setdefault(CNI_PENDING, [])
    if node not in cluster.meta[CNI_PENDING]:
        cluster.meta[CNI_PENDING].append(node)
    units.start(cluster, node, "kubelet", cluster.now + 0.5)    # kubeletphase.TryStartKubelet
    _client_csr(cluster, node, token_id)
    cluster.settled = False


def _client_csr(cluster, node: str, token_id: str) -> None:
    """The kubelet's TLS bootstrap: a CSR for system:node:NAME by the bootstrap token's user,
    approved by kube-controller-manager's csrapprover (signed by the csrsigning controller)."""
    key = ec.generate_private_key(ec.SECP256R1())
    req = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name([x509.NameAttribute(oid.NameOID.ORGANIZATION_NAME, "system:nodes"),
                                    x509.NameAttribute(oid.NameOID.COMMON_NAME, f"system:node:{node}")]))
           .sign(key, hashes.SHA256()))
    pem = req.public_bytes(serialization.Encoding.PEM)
    now = cluster.timestamp()
    suffix = names.random_suffix(cluster.rng, 5)
    server.create_internal(cluster, {
        "apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
        "metadata": {"name": f"csr-{suffix}"},
        "spec": {"request": base64.b64encode(pem).decode(), "signerName": "kubernetes.io/kube-apiserver-client-kubelet",
                 "usages": ["digital signature", "client auth"], "username": f"system:bootstrap:{token_id}",
                 "groups": ["system:bootstrappers", "system:bootstrappers:kubeadm:default-node-token",
                            "system:authenticated"]},
        "status": {"conditions": [{"type": "Approved", "status": "True", "reason": "AutoApproved",
                                   "message": "Auto approving kubelet client certificate after SubjectAccessReview.",
                                   "lastUpdateTime": now, "lastTransitionTime": now}]}})


CALICO_START = (15.0, 30.0)   # calico-node's init containers and its first felix sync, after kube-proxy runs


def cni_due(cluster, node: str, since: float) -> float:
    """When calico-node's install-cni has written the node's CNI configuration: a draw per node,
    kept in the meta, counted from when the node's kube-proxy was running."""
    due = cluster.meta.setdefault("cniDue", {})
    if node not in due:
        lo, hi = CALICO_START
        due[node] = since + lo + cluster.rng.random() * (hi - lo)
    return due[node]


def cni_installed(cluster, node: str) -> None:
    """calico-node's install-cni on a joined node: the CNI configuration appears; the kubelet's
    network is ready from now on."""
    pending = cluster.meta.get(CNI_PENDING) or []
    if node in pending:
        pending.remove(node)
    (cluster.meta.get("cniDue") or {}).pop(node, None)
    nodehost.write(cluster, node, "/etc/cni/net.d/10-calico.conflist", configs.calico_conflist(cluster.profile))
