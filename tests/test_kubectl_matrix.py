"""The kubectl matrix: the steps a CKA candidate types (every verb, every served kind) run by
every kubectl binary on the machine (`kubectl` and kubectl.1.27 ... kubectl.1.33 beside it)
against `minikctl serve`.

One serve per version (a module fixture keyed by the version), the steps in order on it (they
build on each other: create, then get, scale, roll out, delete), each step a test item so a step
that cannot pass is an xfail with its reason (XFAIL below; docs/clients.md lists them).
The items of one version go to one xdist worker as one unit (tests/conftest.py's scheduler), so
they run in order there. `@advance N` moves the cluster's virtual clock (pods start, jobs finish).
"""
from __future__ import annotations

import os
import shlex
import subprocess
import threading
from pathlib import Path

import pytest

from tests.conftest import GO_SPEED, ROOT
from tests.test_serve_kubectl import KUBECTL, Served

DATA = ROOT / "tests" / "data" / "kubectl-matrix"
KDIR = Path(os.path.realpath(KUBECTL)).parent if KUBECTL else None
VERSIONS = (["kubectl"] + [f"kubectl.1.{m}" for m in range(27, 34)
                           if KDIR is not None and (KDIR / f"kubectl.1.{m}").exists()]) if KUBECTL else []

# (step, expectation): expectation is "" (exit 0), "rc=N", or "~text" (exit 0 and text in stdout)
STEPS: list[tuple[str, str]] = [
    ("version", "~v1.32"),
    ("cluster-info", "~is running at"),
    ("api-resources", "~deployments"),
    ("api-versions", "~apps/v1"),
    ("get --raw /healthz", "~ok"),
    ("get nodes", "~k8s-worker-01"),
    ("get nodes -o wide", "~INTERNAL-IP"),
    ("describe node k8s-worker-01", "~Allocatable:"),
    ("get ns", "~kube-system"),
    ("create namespace dev", "~namespace/dev created"),
    ("get all -A", "~service/kubernetes"),
    ("run web --image=nginx --port=80 --labels=app=web", "~pod/web created"),
    ("@advance 20", ""),
    ("get pods", "~web"),
    ("get pod web -o yaml", "~containerPort: 80"),
    ("get pods -o wide", "~NODE"),
    ("describe pod web", "~Events:"),
    ("logs web", ""),
    ("exec web -- ls /", "~etc"),
    ("exec web -- sh -c 'echo hello'", "~hello"),
    ("label pod web tier=front", "~pod/web labeled"),
    ("annotate pod web note=first", "~pod/web annotate"),
    ("label pod web tier=back --overwrite", "~pod/web labeled"),
    ("get pods --show-labels", "~tier=back"),
    ("get pods -l tier=back", "~web"),
    ("get pods -o jsonpath={.items[*].metadata.name}", "~web"),
    ("get pods -o custom-columns=NAME:.metadata.name,IP:.status.podIP", "~NAME"),
    ("get pods --sort-by=.metadata.name", "~web"),
    ("get pods --field-selector=status.phase=Running", "~web"),
    ("expose pod web --port=80 --name=web-svc", "~service/web-svc exposed"),
    ("get svc web-svc", "~ClusterIP"),
    ("describe svc web-svc", "~Endpoints:"),
    ("get endpoints web-svc", "~:80"),
    ("get endpointslices", "~web-svc"),
    ("create deployment app --image=nginx --replicas=2", "~deployment.apps/app created"),
    ("@advance 20", ""),
    ("get deploy app", "~2/2"),
    ("scale deploy app --replicas=3", "~deployment.apps/app scaled"),
    ("set image deploy/app nginx=nginx:1.25", "~image updated"),
    ("@advance 30", ""),
    ("rollout status deploy/app", "~successfully rolled out"),
    ("rollout history deploy/app", "~REVISION"),
    ("rollout undo deploy/app", "~rolled back"),
    ("@advance 30", ""),
    ("rollout restart deploy/app", "~restarted"),
    ("rollout pause deploy/app", "~paused"),
    ("rollout resume deploy/app", "~resumed"),
    ("set resources deploy app --limits=cpu=200m,memory=128Mi", "~resource requirements updated"),
    ("set env deploy/app MODE=prod", "~env updated"),
    ("@advance 30", ""),
    ("get rs", "~app-"),
    ("describe deploy app", "~RollingUpdateStrategy"),
    ("get deploy app -o name", "~deployment.apps/app"),
    ("get deploy app -o json", "~\"kind\": \"Deployment\""),
    ("patch deploy app -p '{\"spec\":{\"replicas\":2}}'", "~patched"),
    ("patch deploy app --type=json -p '[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":3}]'", "~patched"),
    ("scale deploy app --current-replicas=3 --replicas=2", "~scaled"),
    ("autoscale deploy app --min=1 --max=5 --cpu-percent=50", "~autoscaled"),
    ("get hpa", "~app"),
    ("describe hpa app", "~Reference:"),
    ("expose deploy app --port=80 --type=NodePort --name=app-np", "~exposed"),
    ("get svc app-np", "~NodePort"),
    ("create service clusterip s-cip --tcp=80:8080", "~service/s-cip created"),
    ("create service nodeport s-np --tcp=80:8080", "~service/s-np created"),
    ("create service externalname s-ext --external-name=example.com", "~service/s-ext created"),
    ("create configmap cfg --from-literal=a=1 --from-literal=b=2", "~configmap/cfg created"),
    ("get configmap cfg -o yaml", "~a: \"1\""),
    ("describe configmap cfg", "~Data"),
    ("create secret generic s1 --from-literal=password=secret", "~secret/s1 created"),
    ("get secret s1 -o jsonpath={.data.password}", "~c2VjcmV0"),
    ("create secret docker-registry reg --docker-server=r.example.com --docker-username=u --docker-password=p",
     "~secret/reg created"),
    ("describe secret s1", "~password:"),
    ("create serviceaccount bot", "~serviceaccount/bot created"),
    ("create token bot", "~eyJ"),
    ("set serviceaccount deploy app bot", "~serviceaccount updated"),
    ("create role pod-reader --verb=get,list --resource=pods", "~role.rbac.authorization.k8s.io/pod-reader created"),
    ("create rolebinding rb --role=pod-reader --serviceaccount=default:bot", "~rolebinding"),
    ("auth can-i list pods --as=system:serviceaccount:default:bot", "~yes"),
    ("auth can-i delete pods --as=system:serviceaccount:default:bot", "rc=1"),
    ("create clusterrole node-reader --verb=get,list --resource=nodes", "~clusterrole"),
    ("create clusterrolebinding nr --clusterrole=node-reader --user=jane", "~clusterrolebinding"),
    ("auth can-i list nodes --as=jane", "~yes"),
    ("get roles,rolebindings", "~pod-reader"),
    ("describe clusterrole node-reader", "~nodes"),
    ("apply -f {d}/rbac.yaml", "~role.rbac.authorization.k8s.io/cm-editor created"),
    ("create job j1 --image=busybox -- echo done", "~job.batch/j1 created"),
    ("@advance 30", ""),
    ("get jobs", "~j1"),
    ("logs job/j1", "~done"),
    ("wait --for=condition=complete job/j1 --timeout=5s", "~condition met"),
    ("create cronjob cj --image=busybox '--schedule=*/5 * * * *' -- echo tick", "~cronjob.batch/cj created"),
    ("get cronjobs", "~*/5 * * * *"),
    ("create job from-cj --from=cronjob/cj", "~job.batch/from-cj created"),
    ("create quota q1 --hard=pods=10,requests.cpu=2 -n dev", "~resourcequota/q1 created"),
    ("describe quota q1 -n dev", "~pods"),
    ("apply -f {d}/limitrange.yaml", "~limitrange/lr created"),
    ("describe limitrange lr -n dev", "~Container"),
    ("apply -f {d}/pvc.yaml", "~persistentvolumeclaim/data created"),
    ("apply -f {d}/pv.yaml", "~persistentvolume/pv-host created"),
    ("get pvc", "~data"),
    ("get pv", "~pv-host"),
    ("get storageclass", "~(default)"),
    ("apply -f {d}/netpol.yaml", "~networkpolicy.networking.k8s.io/deny-ingress created"),
    ("describe networkpolicy deny-ingress", "~PodSelector"),
    ("create ingress ing --rule=foo.example.com/=web-svc:80", "~ingress.networking.k8s.io/ing created"),
    ("get ingress", "~foo.example.com"),
    ("describe ingress ing", "~Rules:"),
    ("create priorityclass high --value=1000 --description=important", "~priorityclass.scheduling.k8s.io/high created"),
    ("get priorityclass", "~high"),
    ("create poddisruptionbudget pdb1 --selector=app=app --min-available=1", "~poddisruptionbudget.policy/pdb1 created"),
    ("get pdb", "~pdb1"),
    ("apply -f {d}/daemonset.yaml", "~daemonset.apps/agent created"),
    ("apply -f {d}/statefulset.yaml", "~statefulset.apps/db created"),
    ("@advance 30", ""),
    ("get ds", "~agent"),
    ("rollout status ds/agent", "~successfully rolled out"),
    ("get sts", "~db"),
    ("scale sts db --replicas=3", "~scaled"),
    ("create -f {d}/pod.yaml", "~pod/manifest-pod created"),
    ("get -f {d}/pod.yaml", "~manifest-pod"),
    ("apply -f {d}/deploy.yaml", "~deployment.apps/declared created"),
    ("apply -f {d}/deploy.yaml", "~deployment.apps/declared unchanged"),
    ("diff -f {d}/deploy-v2.yaml", "rc=1"),
    ("apply -f {d}/deploy-v2.yaml", "~deployment.apps/declared configured"),
    ("replace -f {d}/deploy.yaml", "~deployment.apps/declared replaced"),
    ("@editor sed -i s/replicas:.2/replicas:\\ 4/", ""),
    ("edit deploy declared", "~deployment.apps/declared edited"),
    ("@mk addons enable metrics-server", ""),
    ("@advance 90", ""),
    ("top node", "~CPU(cores)"),
    ("top pod -A", "~MEMORY(bytes)"),
    ("get events", "~LAST SEEN"),
    ("events", "~LAST SEEN"),
    ("explain pod.spec.containers", "~FIELD: containers <[]Container>"),
    ("explain deploy.spec.strategy --recursive", "~rollingUpdate"),
    ("get gatewayclasses", ""),
    ("get csr", ""),
    ("config view", "~current-context"),
    ("config get-contexts", "~minikctl"),
    ("config current-context", "~minikctl"),
    ("get pods -n dev", ""),
    ("run once --image=busybox --restart=Never -- echo once", "~pod/once created"),
    ("@advance 20", ""),
    ("logs once", "~once"),
    ("logs -f once", "~once"),
    ("cp web:/etc/hostname {tmp}/hostname", ""),
    ("run tmp --rm -i --restart=Never --image=busybox -- echo hi", "~hi"),
    ("cordon k8s-worker-03", "~cordoned"),
    ("uncordon k8s-worker-03", "~uncordoned"),
    ("delete pdb pdb1", "~deleted"),
    ("drain k8s-worker-02 --ignore-daemonsets --delete-emptydir-data --force --grace-period=0 --timeout=5s", "~drained"),
    ("uncordon k8s-worker-02", "~uncordoned"),
    ("taint node k8s-worker-01 dedicated=db:NoSchedule", "~tainted"),
    ("taint node k8s-worker-01 dedicated=db:NoSchedule-", "~untainted"),
    ("label node k8s-worker-03 disk=ssd", "~labeled"),
    ("get nodes -l disk=ssd", "~k8s-worker-03"),
    ("delete pod manifest-pod --ignore-not-found", ""),
    ("delete -f {d}/deploy.yaml", "~deleted"),
    ("delete deploy app", "~deployment.apps \"app\" deleted"),
    ("delete svc web-svc", "~deleted"),
    ("delete namespace dev", "~namespace \"dev\" deleted"),
]

# Steps that cannot pass yet, with the reason (docs/clients.md lists them too).
# Keys: the step; value: {version or "*": reason}. Empty: every step passes on every version
# (issue 16's streams made exec over SPDY, cp and run --rm -i pass). A step added here is an
# xfail with its reason until something makes it pass.
XFAIL: dict[str, dict[str, str]] = {}


# Every step runs on the default kubectl and on the oldest and the newest binary. The others run
# every step that changes the cluster or whose client side changed between releases (exec, cp,
# run -i, logs -f, apply, diff, edit, explain, events, wait, rollout, drain ...), and the plain
# reads (get, describe, logs, config, top, auth can-i, discovery) in turn: each read runs on two
# of them, so on five of the eight binaries in every run, and each version keeps its own whole
# sequence of changes. (A read changes nothing a later step builds on.) That is about 200
# fewer kubectl starts of ~50 ms each. KUBECTL_MATRIX=all runs every step on every binary.
EVERY_STEP = ("kubectl", "kubectl.1.27", "kubectl.1.33")
PLAIN_READS = ("get", "describe", "config", "top", "api-resources", "api-versions", "cluster-info")


def plain_read(step: str) -> bool:
    words = step.split()
    return words[0] in PLAIN_READS or (words[0] == "logs" and "-f" not in words) or words[:2] == ["auth", "can-i"]


def runs_on(version: str, index: int) -> bool:
    """Whether the suite runs step `index` on `version` (all of them with KUBECTL_MATRIX=all)."""
    if os.environ.get("KUBECTL_MATRIX") == "all" or version in EVERY_STEP or not plain_read(STEPS[index][0]):
        return True
    others = [v for v in VERSIONS if v not in EVERY_STEP]
    return (index - others.index(version)) % len(others) in (0, 1)


def _versions_params():
    out = []
    for v in VERSIONS:
        for i, (step, want) in enumerate(STEPS):
            if step.startswith("@") or not runs_on(v, i):
                continue
            reason = XFAIL.get(step, {})
            why = reason.get(v) or reason.get("*")
            marks = []
            if why:
                marks.append(pytest.mark.xfail(reason=why, strict=False))
            out.append(pytest.param(v, i, id=f"{v}-{i:03d}-{step.split()[0]}", marks=marks))
    return out


class Matrix:
    """One serve and its kubectl binary; runs the steps up to the one asked (the `@` ones too)."""

    def __init__(self, root: Path, binary: str):
        self.served = Served(root)
        self.binary = binary
        self.done = -1
        self.tmp = root / "files"
        self.tmp.mkdir()
        self.editor = "true"

    def run_to(self, index: int):
        for i in range(self.done + 1, index):
            step, _ = STEPS[i]
            if step.startswith("@"):
                self._special(step)
        self.done = index
        return self.kubectl(STEPS[index][0])

    def _special(self, step: str):
        verb, _, arg = step.partition(" ")
        if verb == "@advance":
            self.served.mk.advance(float(arg))
        elif verb == "@mk":
            self.served.mk(*shlex.split(arg))
        elif verb == "@editor":
            self.editor = arg

    def kubectl(self, step: str) -> subprocess.CompletedProcess:
        argv = [a.replace("{d}", str(DATA)).replace("{tmp}", str(self.tmp)) for a in shlex.split(step)]
        env = {**GO_SPEED, "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.served.home),
               "KUBECONFIG": str(self.served.kubeconfig), "KUBE_EDITOR": self.editor}
        limit = 8
        # `run -i` waits in real time for its pod to start (then attaches, or prints the logs of
        # a pod that already finished): the virtual clock runs meanwhile, 10x real time, as
        # tests/test_serve_streams.py's Term.wait ticks it.
        ticking = threading.Event() if " -i " in step else None
        if ticking is not None:
            def tick():
                while not ticking.wait(0.05):
                    self.served.mk.clock += 0.5
            threading.Thread(target=tick, daemon=True).start()
        try:
            return subprocess.run([self.binary, *argv], capture_output=True, text=True, env=env, timeout=limit,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as e:
            return subprocess.CompletedProcess(e.cmd, -1, e.stdout or "", f"timed out after {limit}s\n{e.stderr or ''}")
        finally:
            if ticking is not None:
                ticking.set()

    def close(self):
        self.served.close()


_MATRICES: dict[str, Matrix] = {}
LAST = max(i for i, (step, _) in enumerate(STEPS) if not step.startswith("@"))


@pytest.fixture(scope="module")
def matrices(tmp_path_factory):
    """The open serves; a version's is closed after its last step (no server thread may outlive
    its steps: later tests fork processes, and a fork beside a live thread can inherit its locks)."""
    yield _MATRICES
    for m in _MATRICES.values():
        m.close()
    _MATRICES.clear()


def _binary(version: str) -> str:
    return str(KDIR / version) if version != "kubectl" else KUBECTL


@pytest.mark.skipif(not VERSIONS, reason="no kubectl installed on this machine")
@pytest.mark.parametrize("version,index", _versions_params())
def test_step(matrices, tmp_path_factory, version, index):
    m = matrices.get(version)
    if m is None:
        m = matrices[version] = Matrix(tmp_path_factory.mktemp(version), _binary(version))
    if index <= m.done:
        pytest.skip("steps run in order; this one already ran")
    try:
        _check(m, index)
    finally:
        if index == LAST:
            matrices.pop(version).close()


def _check(m: Matrix, index: int) -> None:
    r = m.run_to(index)
    step, want = STEPS[index]
    detail = f"kubectl {step}\nexit {r.returncode}\nstdout: {r.stdout[-800:]}\nstderr: {r.stderr[-800:]}"
    ok = r.returncode == int(want[3:]) if want.startswith("rc=") else \
        r.returncode == 0 and (not want.startswith("~") or want[1:] in r.stdout)
    assert ok, detail
