"""Benchmark: one call at a time vs a bounded thread pool, against a LibreTranslate with fixed latency.

Runs the real direct client (LibreTranslateEngine) through ``translate_unique`` against the fake
server of the tests on 127.0.0.1 (no internet), on a corpus of release-like segments of which
about 30 % repeat. Targets: a speed-up of at least 6x at concurrency 8, and at most one engine
call per distinct text.

    /work/venv/bin/python bench/bench_engine_concurrency.py [--texts 200] [--latency 0.1] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from libretranslate_server import FakeLibreTranslate  # noqa: E402

from transpub.translate.engines import LibreTranslateEngine, RetryPolicy  # noqa: E402
from transpub.translate.runner import translate_unique  # noqa: E402

TEMPLATES = [
    "On {{date:2023-07-{day:02d}}}, the **{n}th** session of the [Assemblies](https://www.wipo.int/a{n}) opened"
    " in {{country:CH}}.",
    "Delegations from {{list:KZ DE JP}} discussed item {n} of the *draft agenda*.",
    "The Director General met the Minister of Justice of {{country:KZ}} ({n} participants).",
    'See `document A/{n}/1` and the [summary report](https://www.wipo.int/r/{n} "Report {n}").',
    "Item {n}: adoption of the report.",
]


def make_corpus(size: int, duplicate_share: float, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    unique_count = round(size * (1 - duplicate_share))
    unique = [TEMPLATES[i % len(TEMPLATES)].format(n=i + 1, day=i % 28 + 1) for i in range(unique_count)]
    corpus = unique + [rng.choice(unique) for _ in range(size - unique_count)]
    rng.shuffle(corpus)
    return corpus


def run(corpus: list[str], latency: float, concurrency: int) -> tuple[float, int, int]:
    """Wall time, engine calls (HTTP requests) and distinct texts sent, for one run."""
    with FakeLibreTranslate(latency=latency) as server:
        engine = LibreTranslateEngine(server.url, timeout=10, retry=RetryPolicy(retries=1, wait=0.05))
        started = time.perf_counter()
        report = translate_unique(engine, corpus, "en", "ja", concurrency=concurrency)
        elapsed = time.perf_counter() - started
        assert report.translated == report.sent and not report.failures, report
        return elapsed, server.request_count, report.sent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=200)
    parser.add_argument("--duplicates", type=float, default=0.3)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    corpus = make_corpus(args.texts, args.duplicates)
    unique = len(set(corpus))
    repeats = len(corpus) - unique
    print(f"corpus: {len(corpus)} texts, {unique} distinct ({repeats / len(corpus):.0%} repeats)")
    print(f"server latency: {args.latency * 1000:.0f} ms per request")
    serial_time, serial_calls, _ = run(corpus, args.latency, 1)
    pool_time, pool_calls, sent = run(corpus, args.latency, args.concurrency)
    speed_up = serial_time / pool_time
    calls_per_unique = pool_calls / unique
    print(f"one at a time : {serial_time:6.2f} s  {serial_calls} calls")
    print(f"concurrency {args.concurrency:<2}: {pool_time:6.2f} s  {pool_calls} calls")
    print(f"speed-up      : {speed_up:.1f}x (target >= 6x)")
    print(f"calls per distinct text: {calls_per_unique:.2f} (target <= 1; {sent} sent, {repeats} repeats not sent)")
    ok = speed_up >= 6 and calls_per_unique <= 1
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
