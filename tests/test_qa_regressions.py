"""Regressions found by QA (a CKA learner and a hostile user): each test failed before its fix.

The expected texts are what real kubectl v1.32 prints for the same command line (checked with
`kubectl ... --dry-run=client -o yaml` and against `minikctl serve`)."""
from __future__ import annotations

import yaml


def _pod_yaml(mk, *argv):
    r = mk("run", "--dry-run=client", "-o", "yaml", *argv)
    assert r.code == 0, r.err
    return yaml.safe_load(r.out)


def test_run_rejects_unknown_flags_instead_of_passing_them_to_the_container(mk):
    r = mk("run", "x", "--image=nginx", "--bogus")
    assert (r.code, r.out) == (1, "")
    assert r.err == "Error: unknown flag: --bogus\nSee 'minikctl run --help' for usage.\n"
    assert mk("get", "po", "x").code == 1  # nothing was created


def test_run_args_after_double_dash_still_reach_the_container(mk):
    c = _pod_yaml(mk, "x", "--image=busybox", "--", "sh", "-c", "echo hi")["spec"]["containers"][0]
    assert c["args"] == ["sh", "-c", "echo hi"]


def test_run_image_pull_policy_and_overrides(mk):
    pod = _pod_yaml(mk, "x", "--image=nginx", "--image-pull-policy=IfNotPresent",
                    '--overrides={"spec":{"nodeSelector":{"x":"y"}}}')
    assert pod["spec"]["containers"][0]["imagePullPolicy"] == "IfNotPresent"
    assert pod["spec"]["nodeSelector"] == {"x": "y"}
    assert mk("run", "x", "--image=nginx", "--overrides={bad").err == "error: Invalid JSON Patch\n"
    r = mk("run", "x", "--image=nginx", "--image-pull-policy=Foo")
    assert (r.code, r.err) == (1, "error: invalid image pull policy: Foo\nSee 'kubectl run -h' for help and examples\n")


def test_run_env_without_equals_is_rejected(mk):
    r = mk("run", "x", "--image=nginx", "--env=NOEQ")
    assert (r.code, r.err) == (1, "error: invalid env: NOEQ\n")
    assert mk("get", "po", "x").code == 1


CTX = "kubernetes-admin@kubernetes"


def test_config_use_context_switches_to_the_one_context_and_rejects_others(mk):
    r = mk("config", "use-context", CTX)
    assert (r.code, r.out) == (0, f'Switched to context "{CTX}".\n')
    r = mk("config", "use-context", "k8s")
    assert (r.code, r.out, r.err) == (1, "", 'error: no context exists with the name: "k8s"\n')
    assert mk("config", "current-context").out == CTX + "\n"


def test_config_get_contexts_o_name_and_view_jsonpath(mk):
    assert mk("config", "get-contexts", "-o", "name").out == CTX + "\n"
    r = mk("config", "get-contexts", "-o", "yaml")
    assert r.code == 1
    assert r.err == ("error: --output yaml is not available in kubectl config get-contexts; "
                     "resetting to default output format\n")
    assert mk("config", "view", "-o", "jsonpath={.contexts[*].name}").out == CTX
    mk("config", "set-context", "--current", "--namespace=dev")
    assert mk("config", "view", "--minify", "-o", "jsonpath={..namespace}").out == "dev"


def test_unknown_subcommand_of_a_group_names_the_subcommand(mk):
    r = mk("config", "nope")
    assert r.code == 1
    assert r.err == "error: unknown command \"nope\"\nSee 'minikctl config -h' for help and examples\n"


def test_boolean_flags_take_pflag_values(mk):
    mk("run", "x", "--image=nginx")
    assert "LABELS" in mk("get", "po", "--show-labels=true").out
    assert "LABELS" not in mk("get", "po", "--show-labels=false").out
    r = mk("get", "po", "--show-labels=maybe")
    assert (r.code, r.err) == (1, 'Error: invalid argument "maybe" for "--show-labels" flag: strconv.ParseBool: '
                                  "parsing \"maybe\": invalid syntax\nSee 'minikctl get --help' for usage.\n")
    r = mk("delete", "po", "x", "--wait=false")
    assert (r.code, r.out) == (0, 'pod "x" deleted\n')


def test_flag_errors_are_worded_like_pflag(mk):
    cases = {
        ("get", "po", "--foo"): "Error: unknown flag: --foo\nSee 'minikctl get --help' for usage.\n",
        ("get", "po", "-Zq"): "Error: unknown shorthand flag: 'Z' in -Zq\nSee 'minikctl get --help' for usage.\n",
        ("get", "po", "-o"): "Error: flag needs an argument: 'o' in -o\nSee 'minikctl get --help' for usage.\n",
        ("get", "po", "--sort-by"): "Error: flag needs an argument: --sort-by\nSee 'minikctl get --help' for usage.\n",
        ("scale", "deploy", "x", "--replicas=abc"):
            'Error: invalid argument "abc" for "--replicas" flag: strconv.ParseInt: parsing "abc": invalid syntax\n'
            "See 'minikctl scale --help' for usage.\n",
    }
    for argv, err in cases.items():
        r = mk(*argv)
        assert (r.code, r.out, r.err) == (1, "", err), argv


def test_shorthand_flags_with_equals(mk):
    mk("run", "x", "--image=nginx")
    assert mk("get", "po", "-n=default", "x", "-o=name").out == "pod/x\n"
    assert mk("get", "po", "-l=run=x", "-o", "name").out == "pod/x\n"
    assert mk("get", "po", "-A=true").out.startswith("NAMESPACE ")
    assert mk("get", "po", "-A=false").out.startswith("NAME ")
    r = mk("create", "deploy", "d", "--image=nginx", "-r", "abc")
    assert r.err.startswith('Error: invalid argument "abc" for "-r, --replicas" flag: strconv.ParseInt: '
                            'parsing "abc": invalid syntax\n')


def test_describe_and_explain_without_a_type_are_errors_with_the_prefix(mk):
    for verb in ("describe", "explain"):
        r = mk(verb)
        assert (r.code, r.err) == (1, f'error: You must specify the type of resource to {verb}. Use "kubectl '
                                      'api-resources" for a complete list of supported resources.\n')


def test_logs_not_found_is_worded_like_kubectl_logs(mk):
    r = mk("logs", "nope")
    assert (r.code, r.err) == (1, 'error: error from server (NotFound): pods "nope" not found in namespace "default"\n')
    r = mk("logs", "deploy/nope")
    assert r.err == ('error: error from server (NotFound): deployments.apps "nope" not found in namespace '
                     '"default"\n')


def test_logs_second_argument_is_the_container(mk):
    mk.apply_spec("busybox")
    assert mk("logs", "busybox", "busybox").code == 0
    assert mk("logs", "busybox", "nope").err == "error: container nope is not valid for pod busybox\n"
    r = mk("logs", "busybox", "busybox", "-c", "busybox")
    assert (r.code, r.err) == (1, "error: only one of -c or an inline [CONTAINER] arg is allowed\n")


def test_logs_tail_and_since(mk):
    mk.apply_spec("web-server")
    pod = mk("get", "po", "-l", "app=web-server", "-o", "jsonpath={.items[0].metadata.name}").out
    assert mk("logs", pod, "--tail=-5").err == "error: --tail must be greater than or equal to -1\n"
    everything = mk("logs", pod).out
    assert everything and mk("logs", pod, "--since=1h").out == everything
    mk.advance(3600)
    assert mk("logs", pod, "--since=10m").out == ""  # nginx logged at start-up only
    assert mk("logs", pod, "--since=2h").out == everything
    assert mk("logs", pod, "--since=-1s").err == "error: --since must be greater than 0\n"
    r = mk("logs", pod, "--since=abc")
    assert (r.code, r.err) == (1, 'Error: invalid argument "abc" for "--since" flag: time: invalid duration "abc"\n'
                                  "See 'minikctl logs --help' for usage.\n")


def test_apply_a_directory_applies_the_good_files_and_lists_every_bad_one(mk, tmp_path):
    d = tmp_path / "mixed"
    d.mkdir()
    (d / "a.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: good\n")
    (d / "b.yaml").write_text("kind: [\n")
    (d / "c.yaml").write_bytes(b"\x00\x01\x02")
    (d / "d.json").write_text('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"good2"}}')
    r = mk("apply", "-f", str(d))
    assert r.code == 1
    assert r.out == "configmap/good created\nconfigmap/good2 created\n"
    lines = r.err.splitlines()
    assert len(lines) == 2  # several errors: one line each, without the 'error: ' prefix
    assert lines[0].startswith(f"error parsing {d / 'b.yaml'}: error converting YAML to JSON: yaml: ")
    assert lines[1] == f"error parsing {d / 'c.yaml'}: error converting YAML to JSON: yaml: control characters are not allowed"
    assert mk("get", "cm", "good", "good2", "-o", "name").out == "configmap/good\nconfigmap/good2\n"


def test_one_bad_file_is_still_a_single_prefixed_error(mk):
    r = mk("apply", "-f", "-", stdin="\x00\x01")
    assert (r.code, r.err) == (1, "error: error parsing STDIN: error converting YAML to JSON: yaml: control characters "
                                  "are not allowed\n")


def test_replicas_that_overflow_int32_are_refused_by_the_apiserver(mk):
    mk("create", "deploy", "big", "--image=nginx")
    r = mk("scale", "deploy", "big", "--replicas=99999999999999")
    assert r.code == 1
    assert r.err.endswith("json: cannot unmarshal number 99999999999999 into Go struct field "
                          "DeploymentSpec.spec.replicas of type int32\n")
    assert mk("get", "deploy", "big", "-o", "jsonpath={.spec.replicas}").out == "1"


def test_a_node_takes_no_more_pods_than_its_allocatable_pods(mk):
    import json
    mk("create", "deploy", "big", "--image=nginx", "--replicas=400")
    mk.advance(30)
    nodes = json.loads(mk("get", "nodes", "-o", "json").out)["items"]
    cap = {n["metadata"]["name"]: int(n["status"]["allocatable"]["pods"]) for n in nodes}
    pods = json.loads(mk("get", "po", "-A", "-o", "json").out)["items"]
    on: dict[str, int] = {}
    for p in pods:
        if p["spec"].get("nodeName"):
            on[p["spec"]["nodeName"]] = on.get(p["spec"]["nodeName"], 0) + 1
    assert all(on[n] <= cap[n] for n in on)
    pending = [p for p in pods if not p["spec"].get("nodeName")]
    workers = sum(1 for n in nodes if "node-role.kubernetes.io/control-plane" not in n["metadata"].get("labels", {}))
    assert pending and all(on[w] == cap[w] for w in on if w != "k8s-master")  # workers full, the rest wait
    msg = pending[0]["status"]["conditions"][0]["message"]
    assert msg == (f"0/{len(nodes)} nodes are available: 1 node(s) had untolerated taint "
                   f"{{node-role.kubernetes.io/control-plane: }}, {workers} Too many pods. preemption: 0/{len(nodes)} "
                   f"nodes are available: 1 Preemption is not helpful for scheduling, {workers} No preemption victims "
                   "found for incoming pod.")


def test_events_are_named_by_time_so_lists_and_describe_show_them_in_order(mk):
    mk.apply_spec("busybox")
    names = mk("get", "events", "--field-selector", "involvedObject.name=busybox", "-o",
               "jsonpath={range .items[*]}{.reason} {.metadata.name}{'\\n'}{end}").out.split("\n")[:-1]
    reasons = [n.split()[0] for n in names]
    assert reasons == ["Scheduled", "Pulling", "Pulled", "Created", "Started"]
    stamp = int(names[0].split()[1].split(".")[1], 16)
    assert abs(stamp / 1e9 - (1_764_000_000.0)) < 60  # UnixNano of the moment it happened
    describe = mk("describe", "po", "busybox").out
    at = [describe.index(f"  {r} ") for r in reasons]
    assert at == sorted(at)


def test_wait_conditions_as_kubectl_words_them(mk):
    mk.apply_spec("busybox")
    assert mk("wait", "po/busybox").err == 'error: unrecognized condition: ""\n'
    assert mk("wait", "--for=bogus", "po/busybox").err == 'error: unrecognized condition: "bogus"\n'
    r = mk("wait", "--for=create", "po/busybox", "--timeout=1s")
    assert (r.code, r.out) == (0, "pod/busybox condition met\n")


def test_a_bad_seed_is_a_flag_error_not_a_traceback(mk):
    for argv in (("get", "po", "--seed=abc"), ("get", "po", "--seed", "x1")):
        r = mk(*argv)
        assert r.code == 1 and "Traceback" not in r.err
        assert r.err.startswith('Error: invalid argument "') and "for \"--seed\" flag: strconv.ParseInt" in r.err
