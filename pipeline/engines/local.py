"""The default engine: this process for one worker, a pool of worker processes for more.

Each worker builds the pipeline once (`pipeline_for`), then takes whole chunks over a pipe
of its own. Workers share no queue and no lock, so a worker that dies (killed, out of
memory, a crash in native code) — even halfway through sending a result — takes nothing
down with it: the engine sees its pipe close, starts a new worker and knows exactly which
chunk was lost. (`concurrent.futures.ProcessPoolExecutor` shares one result queue: a worker
killed while writing to it leaves the queue's lock held and the pool hung for ever.)

A lost chunk of several articles is sent again one article at a time; a single article
lost twice is given up on as failed (X001), so one poisonous article cannot stop a run and
an innocent one is never blamed for a single outside kill.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Iterator

from ..errors import MizanError, issue
from ..stages import Settings
from . import failed_outcome, pipeline_for, process_chunk

log = logging.getLogger("mizan")
LOST_LIMIT = 2  # times a single article may be lost with its worker before it is given up on
STOP_SECONDS = 10  # how long a worker gets to exit after being told to stop


@dataclass
class _Work:
    chunk: int  # chunk number
    lines: list[str]
    first: int  # index of lines[0] in the chunk
    lost: int = 0  # times this work died with its worker


def _serve(conn: Connection, settings: Settings, inherited: list[Connection]) -> None:
    """A worker's life: build the pipeline, then answer chunks until told to stop."""
    for other in inherited:  # other workers' pipes, copied by fork: they must close when their owner goes
        other.close()
    pipeline_for(settings)
    while True:
        try:
            lines = conn.recv()
        except (EOFError, OSError):
            return  # the run is gone
        if lines is None:
            return
        try:
            answer = ("ok", process_chunk(lines, settings))
        except BaseException as err:  # a setup error: the run stops, with the worker's reason
            answer = ("raise", _portable(err))
        conn.send(answer)


def _portable(err: BaseException) -> Exception:
    """The error as it can cross the pipe: our own errors (one message each) travel as they are, so
    the CLI still prints them as one line; any other becomes a RuntimeError naming its type, since
    third-party exceptions do not always survive the trip."""
    if isinstance(err, MizanError) and len(err.args) == 1 and isinstance(err.args[0], str):
        return type(err)(err.args[0])
    return RuntimeError(f"{type(err).__name__}: {err}")


class _Worker:
    def __init__(self, ctx, settings: Settings, inherited: list[Connection]):
        self.conn, child = ctx.Pipe()
        forked = ctx.get_start_method() == "fork"
        self.process = ctx.Process(target=_serve, args=(child, settings, inherited if forked else []), daemon=True)
        self.process.start()
        child.close()  # the worker holds the only other end: its death closes the pipe
        self.work: _Work | None = None

    def send(self, work: _Work) -> bool:
        """False when the worker is already gone."""
        self.work = work
        try:
            self.conn.send(work.lines)
        except OSError:
            return False
        return True

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.process.join(STOP_SECONDS)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


class LocalEngine:
    name = "local"

    def __init__(self, workers: int, settings: Settings):
        self.workers = max(1, workers)
        self.settings = settings
        self._pool: list[_Worker] = []
        # fork shares the parent's loaded lexicons; spawn where fork is unavailable
        methods = multiprocessing.get_all_start_methods()
        self._ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")

    def _start_worker(self) -> _Worker:
        worker = _Worker(self._ctx, self.settings, [w.conn for w in self._pool])
        self._pool.append(worker)
        return worker

    def run(self, chunks: list[list[str]]) -> Iterator[tuple[int, list[str]]]:
        if self.workers == 1:
            for n, chunk in enumerate(chunks):
                yield n, process_chunk(chunk, self.settings)
            return
        queue = deque(_Work(n, c, 0) for n, c in enumerate(chunks))
        pieces: dict[int, dict[int, str]] = {}  # chunks sent again article by article, reassembled by index
        sizes = {n: len(c) for n, c in enumerate(chunks)}
        while len(self._pool) < min(self.workers, len(queue)):
            self._start_worker()
        while queue or any(w.work for w in self._pool):
            self._feed(queue)
            busy = [w for w in self._pool if w.work is not None]
            ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy]))
            for worker in busy:
                if worker.conn not in ready and worker.process.sentinel not in ready:
                    continue
                answer = self._receive(worker)
                if answer == "pending":
                    continue
                work, worker.work = worker.work, None
                if answer is None:
                    self._replace(worker)
                    finished = self._lost(work, queue, pieces, sizes)
                elif answer[0] == "raise":
                    raise answer[1]
                else:
                    finished = self._collect(work, answer[1], pieces, sizes)
                # the idle worker gets its next chunk before the caller takes this one: the caller
                # writes it to disk (an fsync), and no worker should wait for that
                self._feed(queue)
                if finished is not None:
                    yield finished

    def _feed(self, queue: deque) -> None:
        """Give every idle worker the next piece of work."""
        for worker in list(self._pool):
            if worker.work is None and queue:
                work = queue.popleft()
                if not worker.send(work):  # it died idle: its replacement takes the work
                    queue.appendleft(work)
                    worker.work = None
                    self._replace(worker)

    @staticmethod
    def _receive(worker: _Worker):
        """The worker's answer; None when it died before giving one whole; "pending" if neither yet."""
        try:
            if worker.conn.poll():
                return worker.conn.recv()
        except (EOFError, OSError):
            return None
        return "pending" if worker.process.is_alive() else None

    def _replace(self, dead: _Worker) -> None:
        dead.process.join()
        dead.conn.close()
        self._pool.remove(dead)
        log.warning("a worker process died (exit code %s); starting a new one", dead.process.exitcode)
        self._start_worker()

    def _lost(self, work: _Work, queue: deque, pieces, sizes):
        """Work whose worker died on it: sent again smaller, or given up on; a finished chunk or None."""
        work.lost += 1
        log.warning("retrying the %d article(s) the worker had (lost %d time(s))", len(work.lines), work.lost)
        if len(work.lines) > 1:  # which article killed it is unknown: each goes alone
            queue.extendleft(reversed([_Work(work.chunk, [line], work.first + i, work.lost)
                                       for i, line in enumerate(work.lines)]))
            return None
        if work.lost < LOST_LIMIT:
            queue.appendleft(work)
            return None
        failed = [failed_outcome(line, issue("X001", "run")) for line in work.lines]
        return self._collect(work, failed, pieces, sizes)

    @staticmethod
    def _collect(work: _Work, lines: list[str], pieces, sizes):
        """(chunk number, outcome lines) once every article of the chunk is back, else None."""
        n = work.chunk
        if work.first == 0 and len(lines) == sizes[n]:
            return n, lines
        got = pieces.setdefault(n, {})
        for i, line in enumerate(lines):
            got[work.first + i] = line
        if len(got) == sizes[n]:
            del pieces[n]
            return n, [got[i] for i in range(sizes[n])]
        return None

    def close(self) -> None:
        for worker in self._pool:
            worker.stop()
        self._pool = []
