"""The Operating-etcd backup and restore, on the control-plane node: etcdctl snapshot save with
the kubeadm certificates, status computed from the file, etcdutl restore into a new data
directory, the etcd manifest pointed at it, and the cluster back at the snapshot's moment.
Wrong certificate paths fail as etcdctl fails (its errors, exit codes), never a traceback."""
from __future__ import annotations

import json

PKI = "/etc/kubernetes/pki/etcd"
CERTS = f"--cacert={PKI}/ca.crt --cert={PKI}/server.crt --key={PKI}/server.key"
EP = "--endpoints=https://127.0.0.1:2379"


def ssh(mk, cmd, node="k8s-master"):
    return mk("ssh", node, "--", cmd)


def test_snapshot_save_status_and_restore_bring_the_old_objects_back(mk):
    assert mk("create", "deployment", "web", "--image=nginx", "--replicas=2").code == 0
    mk.advance(30)
    r = ssh(mk, f"ETCDCTL_API=3 etcdctl {EP} {CERTS} snapshot save /opt/snapshot.db")
    assert r.code == 0, r.err
    assert r.out == "Snapshot saved at /opt/snapshot.db\n"
    logs = [json.loads(line) for line in r.err.splitlines()]
    assert [x["msg"] for x in logs] == ["created temporary db file", "opened snapshot stream; downloading",
                                        "fetching snapshot", "completed snapshot read; closing", "fetched snapshot",
                                        "saved"]
    assert logs[0]["path"] == "/opt/snapshot.db.part" and logs[2]["endpoint"] == "https://127.0.0.1:2379"
    # status: a table computed from the file (the same numbers as the simple form)
    table = ssh(mk, "etcdutl snapshot status /opt/snapshot.db -w table").out.splitlines()
    simple = ssh(mk, "etcdutl snapshot status /opt/snapshot.db").out.strip().split(", ")
    # etcd prints the hash with %x (the CA's key, not seeded, is in it): its column is as wide as
    # the wider of the header and the hash; tablewriter's Pad puts the odd space on the right
    gap = max(len("HASH"), len(simple[0])) - len("HASH")
    hash_head = " " * (1 + gap // 2) + "HASH" + " " * (1 + gap - gap // 2)
    assert table[1] == "|" + hash_head + "| REVISION | TOTAL KEYS | TOTAL SIZE |"
    assert [c.strip() for c in table[3].strip("|").split("|")] == simple
    old = ssh(mk, "etcdctl snapshot status /opt/snapshot.db")
    assert old.err.startswith("Deprecated: Use `etcdutl snapshot status` instead.\n\n")
    # the cluster changes after the snapshot
    assert mk("delete", "deployment", "web").code == 0
    assert mk("create", "configmap", "after-snapshot").code == 0
    mk.advance(30)
    assert mk("get", "deploy", "web").code == 1
    r = ssh(mk, "etcdutl snapshot restore /opt/snapshot.db --data-dir /var/lib/etcd-from-backup")
    assert r.code == 0 and "restored snapshot" in r.err
    assert "member/snap/db" in ssh(mk, "ls /var/lib/etcd-from-backup/member/snap/db").out
    assert mk("get", "deploy", "web").code == 1          # nothing changes until etcd serves it
    r = ssh(mk, "sed -i 's#path: /var/lib/etcd$#path: /var/lib/etcd-from-backup#' "
                "/etc/kubernetes/manifests/etcd.yaml")
    assert r.code == 0, r.err
    r = mk("get", "deploy", "web", "-o", "jsonpath={.spec.replicas}")
    assert r.code == 0 and r.out == "2"
    assert mk("get", "configmap", "after-snapshot").code == 1
    mk.advance(30)
    assert len(mk("get", "po", "-l", "app=web", "--field-selector=status.phase=Running", "-o", "name").out.split()) == 2
    # pointing back: what etcd served before is there again
    ssh(mk, "sed -i 's#path: /var/lib/etcd-from-backup#path: /var/lib/etcd#' /etc/kubernetes/manifests/etcd.yaml")
    assert mk("get", "configmap", "after-snapshot").code == 0
    assert mk("get", "deploy", "web").code == 1


def test_get_keys_and_member_list(mk):
    assert mk("create", "deployment", "web", "--image=nginx").code == 0
    r = ssh(mk, f"etcdctl {CERTS} get /registry/deployments --prefix --keys-only")
    assert r.out == "/registry/deployments/default/web\n\n/registry/deployments/kube-system/coredns\n\n"
    from minikctl.sim.etcd import members
    mid = members.member_id(["https://192.168.1.10:2380"])
    r = ssh(mk, f"etcdctl {CERTS} member list")
    assert r.out == f"{mid:x}, started, k8s-master, https://192.168.1.10:2380, https://192.168.1.10:2379, false\n"
    r = ssh(mk, f"etcdctl {EP} {CERTS} endpoint health")
    assert r.code == 0 and r.out.startswith("https://127.0.0.1:2379 is healthy: successfully committed proposal: took = ")
    assert ssh(mk, "etcdctl version").out == "etcdctl version: 3.5.16\nAPI version: 3.5\n"


def test_wrong_certificates_fail_as_etcdctl_does(mk):
    r = ssh(mk, f"etcdctl --cacert={PKI}/ca.crtx --cert={PKI}/server.crt --key={PKI}/server.key member list")
    assert (r.code, r.err) == (128, f"Error: open {PKI}/ca.crtx: no such file or directory\n")
    r = ssh(mk, f"etcdctl --cacert={PKI}/ca.crt --cert={PKI}/server.crt --key={PKI}/peer.key member list")
    assert (r.code, r.err) == (128, "Error: tls: private key does not match public key\n")
    r = ssh(mk, f"etcdctl --cacert={PKI}/ca.crt --cert={PKI}/server.crt member list")
    assert r.err == f"Error: KeyFile and CertFile must both be present[key: , cert: {PKI}/server.crt]\n"
    # the cluster CA in place of etcd's: the dial fails, etcdctl gives up after its timeout
    r = ssh(mk, f"etcdctl --cacert=/etc/kubernetes/pki/ca.crt --cert={PKI}/server.crt --key={PKI}/server.key member list")
    warn, last = r.err.splitlines()
    assert r.code == 1 and last == "Error: context deadline exceeded"
    assert json.loads(warn)["msg"] == "retrying of unary invoker failed"
    assert "x509: certificate signed by unknown authority" in json.loads(warn)["error"]
    # a client certificate the etcd CA did not sign
    r = ssh(mk, f"etcdctl --cacert={PKI}/ca.crt --cert=/etc/kubernetes/pki/apiserver.crt "
                "--key=/etc/kubernetes/pki/apiserver.key endpoint health")
    assert r.code == 1 and "tls: bad certificate" in r.err and r.err.endswith("Error: unhealthy cluster\n")
    # no TLS at all, and a node where etcd does not listen
    r = ssh(mk, "etcdctl member list")
    assert r.code == 1 and r.err.endswith("Error: context deadline exceeded\n")
    r = ssh(mk, f"etcdctl {EP} member list", node="k8s-worker-01")
    assert "connect: connection refused" in r.err
    for res in (r,):
        assert "Traceback" not in res.err


def test_restore_refuses_what_etcdutl_refuses(mk):
    ssh(mk, f"etcdctl {CERTS} snapshot save /opt/s.db")
    r = ssh(mk, "etcdutl snapshot restore /opt/s.db --data-dir /var/lib/etcd")
    assert (r.code, r.err) == (1, 'Error: data-dir "/var/lib/etcd" not empty or could not be read\n')
    r = ssh(mk, "etcdutl snapshot restore /opt/nope.db --data-dir /tmp/x")
    assert (r.code, r.err) == (1, "Error: open /opt/nope.db: no such file or directory\n")
    assert ssh(mk, "etcdutl snapshot restore /opt/s.db").err == 'Error: required flag(s) "data-dir" not set\n'
    ssh(mk, "sed -i 's/default/defaulx/' /opt/s.db")
    r = ssh(mk, "etcdutl snapshot restore /opt/s.db --data-dir /tmp/y")
    assert r.code == 1 and r.err.startswith("Error: expected sha256 [")
    r = ssh(mk, "etcdctl snapshot restore /opt/nope.db --data-dir /tmp/z")
    assert r.err.startswith("Deprecated: Use `etcdutl snapshot restore` instead.\n\n")


def test_the_operating_etcd_page_replays_with_its_printed_table(mk):
    """The page's command lines as it prints them (backslash continuations, flags before the
    subcommand, the deprecated etcdctl form) with kubeadm's etcd certificates, and its printed
    status table: the same borders and header, the row laid out as the page's."""
    from pathlib import Path
    page = [ln for ln in (Path(__file__).parent / "data" / "k8s_pages" / "operating-etcd.txt").read_text().splitlines()
            if not ln.startswith("#")]
    assert mk("create", "deployment", "before", "--image=nginx").code == 0
    r = ssh(mk, "cd /root && ETCDCTL_API=3 etcdctl --endpoints=https://127.0.0.1:2379 \\\n"
                f"  --cacert={PKI}/ca.crt --cert={PKI}/server.crt --key={PKI}/server.key \\\n"
                "  snapshot save snapshot.db")
    assert (r.code, r.out) == (0, "Snapshot saved at snapshot.db\n"), r.err
    for cmd in ("etcdutl --write-out=table snapshot status snapshot.db",
                "ETCDCTL_API=3 etcdctl --write-out=table snapshot status snapshot.db"):
        r = ssh(mk, "cd /root && " + cmd)
        assert r.code == 0, r.err
        table = r.out.splitlines()
        assert len(table) == len(page)
        cells = table[3].strip("|").split("|")
        h, rev, keys, size = (c.strip() for c in cells)
        # etcd prints the hash with %x: a hash below 0x10000000 is narrower than the page's, and
        # so is its column (tablewriter sizes a column by its widest cell)
        grow = max(len(h), 4) - 8

        def columns(line: str) -> list[str]:
            return line[1:-1].split(line[0])
        for i in (0, 1, 2, 4):
            got, page_cols = columns(table[i]), columns(page[i])
            assert got[1:] == page_cols[1:] and len(got[0]) == len(page_cols[0]) + grow
            assert got[0].strip() == page_cols[0].strip() if i == 1 else set(got[0]) == {"-"}
        want = page[3].strip("|").split("|")
        assert [len(c) for c in cells] == [len(want[0]) + grow] + [len(c) for c in want[1:]]
        assert 1 <= len(h) <= 8 and int(h, 16) >= 0 and int(rev) > 0 and int(keys) > 0
        assert cells[1].endswith(rev + " ") and cells[2].endswith(keys + " ")     # numbers right-aligned
        # the page's example row left-aligns the size as an older etcdctl did; etcd v3.5's etcdutl
        # and etcdctl set tablewriter.ALIGN_RIGHT for DBStatus (printer_table.go)
        assert cells[3].endswith(size + " ") and size.split()[1] in ("kB", "MB")
    assert mk("delete", "deployment", "before").code == 0
    r = ssh(mk, "cd /root && etcdutl --data-dir /var/lib/etcd-restored snapshot restore snapshot.db")
    assert r.code == 0, r.err
    assert ssh(mk, "sed -i 's#path: /var/lib/etcd$#path: /var/lib/etcd-restored#' "
                   "/etc/kubernetes/manifests/etcd.yaml").code == 0
    assert mk("get", "deployment", "before").code == 0
