"""The default engine: this process for one worker, a process pool for more.

Each pool worker builds the pipeline once (`pipeline_for`) and then takes whole chunks.
A worker that dies (killed, out of memory, a crash in native code) breaks the pool: the
engine starts a new pool and sends the unfinished chunks again. A chunk that was in
flight twice when a pool broke is split into single articles, which then go one at a
time; one that breaks the pool alone is given up on as failed (X001), so one poisonous
article cannot stop a run and an innocent one is never blamed.
"""

from __future__ import annotations

import logging
import multiprocessing
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Iterator

from ..errors import issue
from ..stages import Settings
from . import failed_outcome, pipeline_for, process_chunk

log = logging.getLogger("mizan")
SPLIT_AFTER = 2  # pool breaks a chunk may live through before it is split into articles


def _warm(settings: Settings) -> None:
    pipeline_for(settings)


class LocalEngine:
    name = "local"

    def __init__(self, workers: int, settings: Settings):
        self.workers = max(1, workers)
        self.settings = settings
        self._pool: ProcessPoolExecutor | None = None

    def _new_pool(self) -> ProcessPoolExecutor:
        # fork shares the parent's loaded lexicons; spawn where fork is unavailable
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        return ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_warm, initargs=(self.settings,))

    def run(self, chunks: list[list[str]]) -> Iterator[tuple[int, list[str]]]:
        if self.workers == 1:
            for n, chunk in enumerate(chunks):
                yield n, process_chunk(chunk, self.settings)
            return
        # a work item: (chunk number, lines, index of its first line in the chunk, pool breaks lived through)
        queue: list[tuple[int, list[str], int, int]] = [(n, c, 0, 0) for n, c in enumerate(chunks)]
        pieces: dict[int, dict[int, list[str]]] = {}  # split chunks, reassembled by line index
        sizes = {n: len(c) for n, c in enumerate(chunks)}
        while queue:
            self._pool = self._pool or self._new_pool()
            running: dict[Future, tuple[int, list[str], int, int]] = {}
            broken = False
            while (queue or running) and not broken:
                # Suspects (articles of a chunk that was in flight when a worker died) go one
                # at a time, so that the next death names its article.
                limit = 1 if any(self._suspect(i) for i in queue[:1] + list(running.values())) else self.workers * 2
                while queue and len(running) < limit:
                    try:
                        future = self._pool.submit(process_chunk, queue[0][1], self.settings)
                    except BrokenProcessPool:
                        broken = True
                        break
                    running[future] = queue.pop(0)
                    if self._suspect(running[future]):
                        break
                if broken or not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    try:
                        lines = future.result()
                    except BrokenProcessPool:
                        broken = True
                        continue
                    finished = self._collect(running.pop(future), lines, pieces, sizes)
                    if finished is not None:
                        yield finished
            if broken:
                log.warning("a worker process died; restarting the pool and retrying %d chunks", len(running))
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None
                alone = len(running) == 1
                retried = [r for item in running.values() for r in self._retry(item, alone)]
                for item in retried:
                    if item[3] < 0:
                        finished = self._collect_failed(item, pieces, sizes)
                        if finished is not None:
                            yield finished
                queue = [item for item in retried if item[3] >= 0] + queue

    @staticmethod
    def _suspect(item) -> bool:
        return len(item[1]) == 1 and item[3] >= SPLIT_AFTER

    @staticmethod
    def _retry(item, alone: bool) -> list[tuple[int, list[str], int, int]]:
        """An item that was in flight when the pool broke: again, split into suspects, or,
        a suspect that was alone in flight, given up on (-1)."""
        n, lines, first, breaks = item
        if len(lines) == 1 and breaks >= SPLIT_AFTER and alone:
            return [(n, lines, first, -1)]
        breaks += 1
        if len(lines) > 1 and breaks >= SPLIT_AFTER:
            return [(n, [line], first + i, breaks) for i, line in enumerate(lines)]
        return [(n, lines, first, breaks)]

    def _collect(self, item, lines: list[str], pieces, sizes):
        n, sent, first, _ = item
        if first == 0 and len(sent) == sizes[n]:
            return n, lines
        got = pieces.setdefault(n, {})
        for i, line in enumerate(lines):
            got[first + i] = line
        if len(got) == sizes[n]:
            del pieces[n]
            return n, [got[i] for i in range(sizes[n])]
        return None

    def _collect_failed(self, item, pieces, sizes):
        n, lines, first, _ = item
        failed = [failed_outcome(line, issue("X001", "run")) for line in lines]
        return self._collect((n, lines, first, 0), failed, pieces, sizes)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
