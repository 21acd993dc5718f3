"""The commands that start the local web app: a taken port is named, with the option that
picks another."""

from __future__ import annotations

import socket

import pytest
from click.testing import CliRunner

from implmap.cli import cli
from support.builders import add_search, make_review


@pytest.mark.parametrize("args", [
    ["screen", "--reviewer", "ana", "--no-browser"],
    ["dedupe", "review", "--app", "--reviewer", "ana", "--no-browser"],
    ["chart", "app", "--coder", "ana", "--no-browser"],
])
def test_every_app_command_says_which_option_picks_another_port(tmp_path, args):
    review = make_review(tmp_path / "rev")
    add_search(review, [{"title": "Referral barriers in physiotherapy", "year": "2019"}])
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        out = CliRunner().invoke(cli, [*args, "--port", str(port), "-r", str(review.root)])
    assert out.exit_code != 0
    assert f"cannot listen on 127.0.0.1:{port}" in out.output
    assert out.output.rstrip().endswith("; pass --port PORT")
