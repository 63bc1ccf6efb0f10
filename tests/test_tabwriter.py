"""Go text/tabwriter semantics, checked against literals from kubectl's get_test.go and
describe_test.go (quoted in tests/data/reference/kubectl-describe.md)."""
from minikctl.printers.duration import human_duration, translate_timestamp_since
from minikctl.printers.tabwriter import layout, render, render_tabbed


def test_table_literal_with_empty_status_cell():
    rows = [["NAME", "READY", "STATUS", "RESTARTS", "AGE"], ["foo", "0/0", "", "0", "<unknown>"]]
    assert render(rows) == ("NAME   READY   STATUS   RESTARTS   AGE\n"
                            "foo    0/0              0          <unknown>\n")


def test_empty_last_cell_keeps_previous_padding():
    rows = [["NAME", "STATUS", "ROLES", "AGE", "VERSION"], ["node/foo", "Unknown", "<none>", "<unknown>", ""]]
    assert render(rows) == ("NAME       STATUS    ROLES    AGE         VERSION\n"
                            "node/foo   Unknown   <none>   <unknown>   \n")


def test_minwidth_six():
    assert render([["A", "B"], ["x", "y"]]) == "A     B\nx     y\n"


def test_widths_count_runes():
    out = render([["NAME", "X"], ["héllo", "1"]])
    assert out.splitlines()[1] == "héllo   1"


def test_tabless_line_ends_column_block():
    text = "Name:\tbar\nContainers:\n  a:\n    Image:\tnginx\n    Environment:\t<none>\nQoS Class:\tX\n"
    assert render_tabbed(text) == ("Name:  bar\nContainers:\n  a:\n    Image:        nginx\n"
                                   "    Environment:  <none>\nQoS Class:        X\n")


def test_shorter_line_ends_inner_block_only():
    # column 1 is computed over lines 0-1 only (line 2 has no cell in column 1); column 0 spans all
    widths = layout([["a", "bb", "x"], ["a", "b", "y"], ["aaaa", "z"]], 0, 2)
    assert widths == [[6, 4], [6, 3 + 1], [6]]


def test_describe_pod_volumes_literal():
    text = ("Name:\tbar\nNamespace:\tfoo\nNode:\t<none>\nLabels:\t<none>\nAnnotations:\t<none>\nStatus:\t\nIP:\t\n"
            "IPs:\t<none>\nContainers: <none>\nVolumes:\n  image:\n    Type:\tImage (a container image or OCI artifact)\n"
            "    Reference:\timage\n    PullPolicy:\tIfNotPresent\nQoS Class:\tBestEffort\nNode-Selectors:\t<none>\n"
            "Tolerations:\t<none>\nEvents:\t<none>\n")
    assert render_tabbed(text) == (
        "Name:         bar\nNamespace:    foo\nNode:         <none>\nLabels:       <none>\nAnnotations:  <none>\n"
        "Status:       \nIP:           \nIPs:          <none>\nContainers: <none>\nVolumes:\n  image:\n"
        "    Type:        Image (a container image or OCI artifact)\n    Reference:   image\n"
        "    PullPolicy:  IfNotPresent\nQoS Class:       BestEffort\nNode-Selectors:  <none>\n"
        "Tolerations:     <none>\nEvents:          <none>\n")


def test_human_duration_table():
    cases = [(70, "70s"), (119.999, "119s"), (120, "2m"), (190, "3m10s"), (601, "10m"), (179 * 60 + 59, "179m"),
             (3 * 3600 + 60, "3h1m"), (8 * 3600 + 59 * 60, "8h"), (47 * 3600, "47h"), (49 * 3600, "2d1h"),
             (8 * 86400 + 23 * 3600, "8d"), (729 * 86400, "729d"), (2 * 365 * 86400 + 86400, "2y1d"),
             (8 * 365 * 86400, "8y"), (-2, "<invalid>"), (-1.9, "0s"), (0, "0s"), (3 * 3600, "3h"),
             (2 * 86400, "2d"), (2 * 365 * 86400, "2y")]
    for seconds, want in cases:
        assert human_duration(seconds) == want, seconds


def test_translate_timestamp_since():
    assert translate_timestamp_since(None, 100.0) == "<unknown>"
    assert translate_timestamp_since("1970-01-01T00:00:00Z", 312.0) == "5m12s"
