"""A plain serving simulator, one iteration at a time, every request on its own: the
reference the event-jumping one (calculator.estimator.serving) is checked against.

Same policy (vLLM v1's, see serving.py), written as directly as it reads: no clocks,
no closed forms, step_time for every iteration.
"""

from __future__ import annotations

import math
from collections import deque

from calculator.estimator.scheduler import BLOCK_TOKENS, Replica, Request, Run
from calculator.estimator.step import step_time


class Seq:
    def __init__(self, index: int, request: Request) -> None:
        self.index = index
        self.prompt = request.prompt
        self.completion = request.completion
        self.generated = 0
        self.state = "waiting"
        self.target = request.prompt
        self.computed = 0
        self.cache = 0  # tokens whose KV is stored
        self.blocks = 0


def blocks_for(tokens: int) -> int:
    return -(-tokens // BLOCK_TOKENS)


def reference_run(replica: Replica, drawn: list[Request], concurrency: int | None) -> Run:
    n = len(drawn)
    seqs = [Seq(i, r) for i, r in enumerate(drawn)]
    arrival = [math.nan] * n
    first = [math.nan] * n
    finish = [math.nan] * n
    run = Run(arrival, first, finish)
    if concurrency is None:
        for i, r in enumerate(drawn):
            arrival[i] = r.arrival
        issued = n
    else:
        issued = min(concurrency, n)
        for i in range(issued):
            arrival[i] = 0.0
    total = replica.kv_blocks
    waiting: deque[Seq] = deque()
    running: list[Seq] = []
    used = 0
    t = 0.0
    arrived = 0
    resolved = 0

    def resolve(when: float) -> None:
        nonlocal resolved, issued
        resolved += 1
        if concurrency is not None and issued < n:
            arrival[issued] = when + replica.request_overhead_s
            issued += 1

    def preempt() -> Seq:
        nonlocal used
        victim = running.pop()
        used -= victim.blocks
        victim.blocks = victim.cache = victim.computed = 0
        victim.target = victim.prompt + victim.generated
        victim.state = "waiting"
        waiting.appendleft(victim)
        run.preemptions += 1
        return victim

    while resolved < n:
        while arrived < issued and arrival[arrived] <= t:
            waiting.append(seqs[arrived])
            arrived += 1
        preempted = False
        left = replica.token_budget
        # Decodes: each needs room for one more token.
        while True:
            need = sum(blocks_for(s.cache + 1) - s.blocks for s in running if s.state == "decode")
            if used + need <= total:
                break
            preempt()
            preempted = True
        decodes = [s for s in running if s.state == "decode"]
        for s in decodes:
            extra = blocks_for(s.cache + 1) - s.blocks
            s.blocks += extra
            used += extra
        left -= len(decodes)
        context = sum(s.cache + 1 for s in decodes)
        chunks = []
        for s in list(running):
            if s.state != "prefill" or s not in running:
                continue
            if left <= 0:
                break
            chunk = min(s.target - s.computed, left)
            need = blocks_for(s.computed + chunk) - s.blocks
            gave_up = False
            while used + need > total:
                if preempt() is s:
                    gave_up = True
                    break
                preempted = True
            if gave_up:
                preempted = True
                break
            used += need
            s.blocks += need
            chunks.append((s, chunk))
            left -= chunk
        if not preempted:
            while waiting and left > 0 and len(running) < replica.max_seqs:
                s = waiting[0]
                if blocks_for(s.prompt + s.completion - 1) > total:
                    waiting.popleft()
                    s.state = "done"
                    resolve(t)
                    continue
                chunk = min(s.target, left)
                need = blocks_for(chunk)
                if used + need > total:
                    break
                waiting.popleft()
                s.state = "prefill"
                used += need
                s.blocks = need
                running.append(s)
                chunks.append((s, chunk))
                left -= chunk
        if not decodes and not chunks:
            if not running and not waiting:
                t = max(t, arrival[arrived]) if arrived < issued else t
            continue
        run.peak_blocks = max(run.peak_blocks, used)
        seconds = step_time(
            replica.ctx,
            prefill_tokens=sum(c for _, c in chunks),
            prefill_sequences=len(chunks),
            prefill_attention=sum(c * s.computed + c * c / 2 for s, c in chunks),
            decode_sequences=len(decodes),
            decode_context=context,
        ).total
        run.queue_time_integral += len(waiting) * seconds
        run.queue_max = max(run.queue_max, len(waiting))
        t += seconds
        done = []
        for s in decodes:
            s.cache += 1
            s.generated += 1
            if s.generated >= s.completion:
                done.append(s)
        for s, chunk in chunks:
            s.computed += chunk
            s.cache = s.computed
            if s.computed == s.target:
                s.generated += 1
                if s.generated == 1:
                    first[s.index] = t
                if s.generated >= s.completion:
                    done.append(s)
                else:
                    s.state = "decode"
        for s in sorted(done, key=lambda s: s.index):
            running.remove(s)
            used -= s.blocks
            s.state = "done"
            finish[s.index] = t
            resolve(t)
    return run
