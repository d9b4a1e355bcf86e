"""The Ray engine gives the local engine's outputs, byte for byte, on a local Ray instance."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import SAMPLE
from test_run import FINAL, outputs

from pipeline.run import RunOptions, run_batch

pytest.importorskip("ray.data")


@pytest.mark.slow
def test_ray_engine_equals_the_local_engine(tmp_path):
    local = tmp_path / "local"
    ray_out = tmp_path / "ray"
    run_batch([str(SAMPLE)], local, RunOptions(workers=1, chunk_size=4, progress=False))
    summary = run_batch([str(SAMPLE)], ray_out, RunOptions(workers=2, chunk_size=4, engine="ray", progress=False))
    assert summary.manifest.engine == "ray" and summary.counts.articles == 14
    assert outputs(ray_out) == outputs(local)
    assert set(FINAL) <= {p.name for p in ray_out.iterdir()}
    # and a second Ray run into the same folder does no new work
    again = run_batch([str(SAMPLE)], ray_out, RunOptions(workers=2, chunk_size=4, engine="ray", progress=False))
    assert again.counts.skipped == 14


def test_an_unreachable_cluster_is_a_clear_error(tmp_path):
    from pipeline.errors import ConfigError

    with pytest.raises(ConfigError, match="cannot reach the Ray cluster"):
        run_batch([str(SAMPLE)], tmp_path / "out", RunOptions(workers=1, engine="ray", ray_address="127.0.0.1:1", progress=False))


@pytest.fixture
def ray_cluster():
    """A Ray head node started with `ray start`, as the README tells users to, on a free port;
    `ray stop` ends it afterwards, which would end any other cluster on this machine too, so the
    test is skipped when one is already running."""
    import psutil

    if any(p.info["name"] in ("gcs_server", "raylet") for p in psutil.process_iter(["name"])):
        pytest.skip("a Ray cluster is already running on this machine; `ray stop` would end it")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    ray_cli = str(Path(sys.executable).parent / "ray")
    started = subprocess.run([ray_cli, "start", "--head", f"--port={port}", "--num-cpus=2", "--include-dashboard=false",
                              "--disable-usage-stats"], capture_output=True, text=True, timeout=180)
    assert started.returncode == 0, started.stderr[-2000:]
    try:
        yield f"127.0.0.1:{port}"
    finally:
        subprocess.run([ray_cli, "stop", "--force"], capture_output=True, timeout=180)


@pytest.mark.slow
def test_ray_engine_joins_a_running_cluster_and_starts_its_own_without_an_address(ray_cluster, tmp_path, monkeypatch):
    local = tmp_path / "local"
    run_batch([str(SAMPLE)], local, RunOptions(workers=1, chunk_size=4, progress=False))
    # `ray start` (Ray 2.59 on) asks for the token, which this machine's ~/.ray/auth_token holds
    monkeypatch.setenv("RAY_AUTH_MODE", "token")
    joined = run_batch([str(SAMPLE)], tmp_path / "joined", RunOptions(workers=2, chunk_size=4, engine="ray",
                                                                       ray_address=ray_cluster, progress=False))
    assert joined.counts.articles == 14 and outputs(tmp_path / "joined") == outputs(local)
    # with no address, a run starts an instance of its own rather than joining the one running here
    monkeypatch.delenv("RAY_AUTH_MODE")
    own = run_batch([str(SAMPLE)], tmp_path / "own", RunOptions(workers=2, chunk_size=4, engine="ray", progress=False))
    assert own.counts.articles == 14 and outputs(tmp_path / "own") == outputs(local)
