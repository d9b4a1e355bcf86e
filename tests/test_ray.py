"""The Ray engine gives the local engine's outputs, byte for byte, on a local Ray instance."""

from __future__ import annotations

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
