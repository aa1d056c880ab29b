"""``# noqa`` reads the same in the CLI, flake8 and pylint; pylint also has its own disable comments."""

from __future__ import annotations

import os

from flake8.violation import Violation
from frontends import run_cli, run_flake8, run_pylint
from hypothesis import given, settings
from hypothesis import strategies as st

from flask_token_lint.noqa import suppresses

SUPPRESSED = '''\
from flask import Flask
app = Flask(__name__)
app.run(debug=True)  # noqa
app.run(debug=True)  # noqa: FTL501
app.run(debug=True)  # noqa: FTL5
app.run(debug=True)  # noqa: FTL401
app.run(debug=True)  # noqa:FTL401,FTL501
app.run(debug=True)  # NOQA: FTL501
app.run(debug=True)  # noqa: ftl501
app.run(debug=True)  # noqa : FTL401
app.run(
    debug=True,
)  # noqa: FTL501
app.run(debug=True)  # pylint: disable=flask-debug-enabled
app.run(debug=True)  # noqa: E501
app.run(debug=True, extra_files="""
""")  # noqa: FTL501
'''
# Lines whose finding stays: a code that does not match, a lowercase code (flake8 compares
# codes as written), a statement whose brackets span lines with the comment on its last line
# (only a multi-line *token*, such as a triple-quoted string, carries a comment to its first
# line), and comments that are not noqa comments.
# The multi-line call is reported on its ``debug=True`` keyword (line 12), where a formatter would
# put the noqa comment; the comment after the closing bracket is on another line.
CLI_AND_FLAKE8_LINES = [6, 9, 12, 14, 15]
PYLINT_LINES = [6, 9, 12, 15]

WHOLE_FILE = "from flask import Flask\n# flake8: noqa\napp = Flask(__name__)\napp.run(debug=True)\n"


def _lines(found, path):
    return sorted(line for line, _, code in found[os.path.relpath(path, found.root)] if code == "FTL501")


def test_noqa_in_cli_matches_flake8_and_pylint_disable(tmp_path):
    path = tmp_path / "suppressed.py"
    path.write_text(SUPPRESSED)
    whole = tmp_path / "whole_file.py"
    whole.write_text(WHOLE_FILE)
    files = [path, whole]
    results = {}
    for name, runner in (("cli", run_cli), ("flake8", run_flake8), ("pylint", run_pylint)):
        found = runner(files, cwd=tmp_path)
        results[name] = {
            os.path.basename(key): sorted(line for line, _, code in value if code == "FTL501")
            for key, value in found.items()
        }
    assert results["cli"]["suppressed.py"] == CLI_AND_FLAKE8_LINES
    assert results["flake8"]["suppressed.py"] == CLI_AND_FLAKE8_LINES
    assert results["pylint"]["suppressed.py"] == PYLINT_LINES
    assert results["cli"]["whole_file.py"] == results["flake8"]["whole_file.py"] == []
    assert results["pylint"]["whole_file.py"] == []


FORMATTED = '''\
import requests
from flask import Flask

app = Flask(__name__)


def fetch(url, token):
    return requests.get(
        url,
        headers={"Authorization": f"Bearer {token}"},
        verify=False,  # noqa: FTL502
    )


def fetch_unsuppressed(url, token):
    return requests.get(
        url,
        headers={"Authorization": f"Bearer {token}"},
        verify=False,
    )


if __name__ == "__main__":
    app.run(
        host="0.0.0.0",
        debug=True,  # noqa: FTL501
    )
    app.run(
        host="0.0.0.0",
        debug=True,
    )
'''


def test_noqa_where_a_formatter_puts_it_works_in_every_front_end(tmp_path):
    """black puts each argument of a long call on its own line: the finding is reported on the
    keyword that is wrong, so ``verify=False,  # noqa: FTL502`` on that line silences it."""
    path = tmp_path / "formatted.py"
    path.write_text(FORMATTED)
    for runner in (run_cli, run_flake8, run_pylint):
        found = runner([path], cwd=tmp_path)
        (value,) = found.values()
        reported = sorted((line, code) for line, _, code in value if code in ("FTL501", "FTL502"))
        assert reported == [(19, "FTL502"), (30, "FTL501")], runner.__name__


_comment_parts = st.sampled_from(
    ["#", " ", "noqa", "NoQA", ":", ",", "FTL501", "FTL5", "FTL", "ftl501", "E501", "FTL4", "flake8", "x", "\t"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_comment_parts, max_size=8).map("".join), st.sampled_from(["FTL501", "FTL401", "E501"]))
def test_noqa_decision_is_flake8s(comment, code):
    line = f"app.run(debug=True)  {comment}\n"
    flake8_says = Violation(code, "f.py", 1, 1, "m", line).is_inline_ignored(disable_noqa=False)
    assert suppresses(line, code) == flake8_says
