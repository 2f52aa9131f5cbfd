"""`get3w run --max-cost`: a task the model list prices above the limit (or cannot price)
is refused before anything is sent; one at or below it goes."""

from __future__ import annotations

from pathlib import Path

import pytest

from get3w_desktop.cli import main
from get3w_desktop.cli.common import Exit
from get3w_desktop.sandbox import SandboxServer

VEO = "google/veo3.1-fast/text-to-video"  # about $1.20
FLUX = "wavespeed-ai/flux-dev"  # about $0.012


def test_a_task_above_max_cost_is_refused_and_nothing_is_sent(
    env: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["run", VEO, "-p", "prompt=waves", "--max-cost", "1", "--out", str(tmp_path)])
    assert code == Exit.USAGE
    err = capsys.readouterr().err
    assert "about $1.20, more than --max-cost $1.00" in err and "Nothing was sent" in err
    assert env.stats.submits == 0 and list(tmp_path.iterdir()) == []


def test_a_task_of_unknown_price_is_refused_under_max_cost(
    env: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["run", "nobody/unknown-model", "-p", "prompt=x", "--max-cost", "5",
                 "--out", str(tmp_path)])  # fmt: skip
    assert code == Exit.USAGE
    assert "price of this task is not known" in capsys.readouterr().err
    assert env.stats.submits == 0


def test_a_task_within_max_cost_goes(
    env: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["run", FLUX, "-p", "prompt=a fox", "--max-cost", "$0.05", "--no-history",
                 "--out", str(tmp_path)])  # fmt: skip
    assert code == Exit.OK
    assert env.stats.submits == 1 and any(tmp_path.iterdir())


@pytest.mark.parametrize("value", ["nan", "-1", "lots"])
def test_a_bad_max_cost_is_a_usage_error(
    env: SandboxServer, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["run", FLUX, "-p", "prompt=x", "--max-cost", value])
    assert exited.value.code == Exit.USAGE
    assert "--max-cost" in capsys.readouterr().err
    assert env.stats.submits == 0
