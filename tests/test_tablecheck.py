"""The table layout helper (tests/tablecheck.py) passes what kubectl printed and fails what
text/tabwriter would not print, so the tests that lean on it can fail."""
import re

import pytest

from conftest import DATA
from tablecheck import table_check


def kubectl_tables() -> list[str]:
    """The three `get svc,po -o wide` tables real kubectl printed in the study note."""
    text = (DATA / "three-services-tables.md").read_text()
    return re.findall(r"`kubectl get svc,po -o wide -l [^`]*`:\n\n```\n(.*?)```", text, re.S)


def test_what_kubectl_printed_holds():
    tables = kubectl_tables()
    assert len(tables) == 3
    for t in tables:
        assert table_check(t) == (0, "table-check: 2 group(s), layout holds\n")


@pytest.mark.parametrize("break_it", [
    lambda t: t.replace("NAME   ", "NAME  ", 1),                 # a column one short
    lambda t: t.replace("\n\n", "\n\n\n", 1),                    # two blank lines between groups
    lambda t: t.replace("   <none>\n", "   <none>  \n", 1),      # trailing spaces after a last cell
    lambda t: t.replace("1/1     Running", "1/1    Running", 1),  # one row out of line
    lambda t: t.replace("   80/TCP   ", "   80/TCP-LONGER   ", 1),  # a cell runs over its column
])
def test_layout_faults_are_reported(break_it):
    t = kubectl_tables()[0]
    broken = break_it(t)
    assert broken != t
    code, report = table_check(broken)
    assert code == 1 and report


def test_empty_last_cell_keeps_its_padding():
    assert table_check("NAME   SELECTOR\nkube   \n")[0] == 0
    assert table_check("NAME   SELECTOR\nkube\n")[0] == 1
