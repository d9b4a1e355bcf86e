"""The Ray engine: the same chunks through Ray Data, on a laptop or a cluster.

Rows are plain strings (an article's JSON line with its chunk and position); a callable
class builds the pipeline once per actor and runs `process_chunk` on whole batches, so
the results are the local engine's, byte for byte. With `address` it joins a running
cluster (`ray start --head` on one machine, `ray start --address=HEAD:6379` on the
others, then `mizan run ... --engine ray --ray-address HEAD:6379`); without one it
starts a local Ray instance for the run and stops it afterwards.
"""

from __future__ import annotations

import logging
from typing import Iterator

from ..errors import ConfigError
from ..stages import Settings
from . import pipeline_for, process_chunk

log = logging.getLogger("mizan")


class ChunkWorker:
    """One Ray actor: loads the pipeline once, then turns batches of articles into outcomes."""

    def __init__(self, settings: Settings):
        self.settings = settings
        pipeline_for(settings)

    def __call__(self, batch: dict) -> dict:
        import numpy as np

        outcomes = process_chunk([str(a) for a in batch["article"]], self.settings)
        return {"chunk": batch["chunk"], "index": batch["index"], "outcome": np.array(outcomes, dtype=object)}


def _reachable(address: str, timeout: float = 5.0) -> None:
    """Fail fast on a cluster that is not there: Ray itself retries for minutes."""
    import socket
    from urllib.parse import urlsplit

    if address == "auto":
        return
    parts = urlsplit(address if "://" in address else f"ray://{address}")
    if parts.hostname is None or parts.port is None:
        raise ConfigError(f"--ray-address {address!r}: expected HOST:PORT or ray://HOST:PORT")
    try:
        socket.create_connection((parts.hostname, parts.port), timeout=timeout).close()
    except OSError as err:
        raise ConfigError(f"cannot reach the Ray cluster at {address}: {err.strerror or err}") from None


# Ray 2.59 and later start clusters with token authentication, and a driver that does not
# send the token is refused with nothing but a failed connection.
_AUTH_HINT = (" (if the cluster uses token authentication, as `ray start` does from Ray 2.59 on, set "
              "RAY_AUTH_MODE=token here too, with the token in RAY_AUTH_TOKEN or ~/.ray/auth_token: "
              "`ray get-auth-token` on the head node prints it)")


class RayEngine:
    name = "ray"

    def __init__(self, workers: int, settings: Settings, address: str | None = None):
        try:
            import ray
        except ImportError:
            raise ConfigError("the Ray engine needs Ray Data: pip install 'mizan-claims[ray]'") from None
        self.workers = max(1, workers)
        self.settings = settings
        self._started = not ray.is_initialized()
        if self._started and address:
            _reachable(address)
        if self._started:
            # No address: a Ray instance of our own ("local"), even when `ray start` left a
            # cluster running on this machine, which ray.init() would otherwise join.
            try:
                ray.init(address=address or "local", num_cpus=None if address else self.workers, include_dashboard=False,
                         log_to_driver=False, logging_level=logging.WARNING, configure_logging=False)
            except (ConnectionError, ValueError, RuntimeError) as err:
                raise ConfigError(f"cannot reach the Ray cluster at {address}: {err}{_AUTH_HINT}") from None
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        for name in ("ray", "ray.data"):  # Ray's own progress lines would drown the run's
            logging.getLogger(name).setLevel(logging.WARNING)
        # ...and having turned its bars off, we need no warning that they are off
        logging.getLogger("ray.data._internal.progress").setLevel(logging.ERROR)

    def run(self, chunks: list[list[str]]) -> Iterator[tuple[int, list[str]]]:
        import ray

        if not chunks:
            return
        size = max(len(c) for c in chunks)
        rows = [{"chunk": n, "index": i, "article": line} for n, chunk in enumerate(chunks) for i, line in enumerate(chunk)]
        dataset = ray.data.from_items(rows, override_num_blocks=len(chunks)).map_batches(
            ChunkWorker, fn_constructor_args=(self.settings,), batch_size=size, batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(size=min(self.workers, len(chunks))),  # no idle actor for a short run
        )
        got: dict[int, dict[int, str]] = {}
        for batch in dataset.iter_batches(batch_size=None, batch_format="numpy"):
            for n, i, line in zip(batch["chunk"], batch["index"], batch["outcome"]):
                lines = got.setdefault(int(n), {})
                lines[int(i)] = str(line)
                if len(lines) == len(chunks[int(n)]):
                    del got[int(n)]
                    yield int(n), [lines[k] for k in range(len(chunks[int(n)]))]

    def close(self) -> None:
        import ray

        if self._started and ray.is_initialized():
            ray.shutdown()
