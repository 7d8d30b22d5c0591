"""Send a set of segment texts through an engine: each distinct text once, a bounded number at a time.

For each distinct text: protect its tokens and markup, call the engine (in a thread pool of
``concurrency`` workers), restore the answer, and report it through ``on_result`` as soon as it is
known, so the caller can save progress and a re-run resumes where this one stopped. A failed or
rejected text is recorded and the run goes on; only an engine that cannot be used at all
(unreachable, key rejected, never answering) ends the run early with one :class:`RunAbortedError`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from ..errors import EngineError
from ..settings import TranslateSettings
from .engines import Engine, EngineUnavailableError
from .protect import PlaceholderError, Protected, needs_translation, protect, restore

OnResult = Callable[[str, str | None, EngineError | None], None]


@dataclass(frozen=True)
class TextFailure:
    text: str
    error: EngineError  # a PlaceholderError when the answer was rejected


@dataclass(frozen=True)
class TranslateReport:
    unique: int  # distinct texts asked for
    sent: int  # distinct texts sent to the engine
    translated: int  # answers accepted
    rejected: int  # answers that lost, duplicated or invented a placeholder
    failed: int  # texts whose call failed
    copied: int = 0  # texts with no words outside placeholders: their own translation, not sent
    unsent: int = 0  # texts never sent because the run stopped early
    calls: int = 0  # engine calls made
    translations: dict[str, str] = field(default_factory=dict)  # source text -> translated text
    failures: tuple[TextFailure, ...] = ()


class RunAbortedError(EngineError):
    """The engine could not be used at all; ``report`` says what was done before stopping."""

    def __init__(self, message: str, report: TranslateReport):
        super().__init__(message)
        self.report = report


def translate_unique(
    engine: Engine,
    texts: Iterable[str],
    source: str,
    target: str,
    *,
    concurrency: int = TranslateSettings.concurrency,
    batch_size: int = 1,
    on_result: OnResult | None = None,
    stop_after: int = 3,
) -> TranslateReport:
    """Translate every distinct text once; ``on_result(text, translation, error)`` runs for each.

    ``on_result`` is called from this thread, never from a worker, so it needs no locking. The run
    stops early when ``stop_after`` calls in a row fail as unavailable, or raises as well when
    every call failed that way.
    """
    if concurrency < 1 or batch_size < 1:
        raise ValueError("concurrency and batch_size must be at least 1")
    report = _Tally(on_result)
    work: list[tuple[str, Protected]] = []
    for text in dict.fromkeys(texts):  # ordered and distinct: each text costs one call at most
        report.unique += 1
        protected = protect(text)
        if needs_translation(protected):
            work.append((text, protected))
        else:
            report.copy(text)
    waiting = deque(work[i : i + batch_size] for i in range(0, len(work), batch_size))

    # Keep at most `concurrency` calls in flight instead of queueing everything: stopping early
    # then wastes no calls, and `sent` counts only what really went out.
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="transpub-translate") as pool:
        in_flight: dict[Future[list[str]], list[tuple[str, Protected]]] = {}

        def submit() -> None:
            while waiting and len(in_flight) < concurrency and report.in_a_row < stop_after:
                batch = waiting.popleft()
                future = pool.submit(engine.translate_batch, [p.text for _, p in batch], source, target)
                in_flight[future] = batch
                report.sent += len(batch)
                report.calls += 1

        submit()
        while in_flight:
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                report.settle(in_flight.pop(future), future)
            submit()

    report.unsent = sum(len(batch) for batch in waiting)
    final = report.freeze()
    if report.unsent:
        message = f"{engine.name}: stopped after {report.in_a_row} calls in a row failed: {report.last_unavailable}"
        raise RunAbortedError(f"{message}; {report.unsent} text(s) not sent", final)
    if report.calls and report.unavailable_calls == report.calls:
        raise RunAbortedError(f"{engine.name}: every call failed: {report.last_unavailable}", final)
    return final


class _Tally:
    """The mutable side of a run: counts, results, and the in-a-row failure streak."""

    def __init__(self, on_result: OnResult | None):
        self.on_result = on_result
        self.unique = self.sent = self.translated = self.rejected = self.failed = self.copied = 0
        self.calls = self.unavailable_calls = self.in_a_row = self.unsent = 0
        self.last_unavailable: EngineError | None = None
        self.translations: dict[str, str] = {}
        self.failures: list[TextFailure] = []

    def copy(self, text: str) -> None:
        self.copied += 1
        self._accept(text, text)

    def settle(self, batch: list[tuple[str, Protected]], future: Future[list[str]]) -> None:
        try:
            answers = future.result()
            if not _one_string_each(answers, len(batch)):
                raise EngineError(f"the engine answered {len(batch)} text(s) with {_count(answers)}")
        except EngineError as error:
            if isinstance(error, EngineUnavailableError):
                self.unavailable_calls += 1
                self.in_a_row += 1
                self.last_unavailable = error
            else:
                self.in_a_row = 0
            for text, _ in batch:
                self.failed += 1
                self._fail(text, error)
            return
        self.in_a_row = 0
        for (text, protected), answer in zip(batch, answers, strict=True):
            try:
                translated = restore(answer, protected)
            except PlaceholderError as error:
                self.rejected += 1
                self._fail(text, error)
            else:
                self.translated += 1
                self._accept(text, translated)

    def _accept(self, text: str, translated: str) -> None:
        self.translations[text] = translated
        if self.on_result:
            self.on_result(text, translated, None)

    def _fail(self, text: str, error: EngineError) -> None:
        self.failures.append(TextFailure(text, error))
        if self.on_result:
            self.on_result(text, None, error)

    def freeze(self) -> TranslateReport:
        return TranslateReport(
            unique=self.unique,
            sent=self.sent,
            translated=self.translated,
            rejected=self.rejected,
            failed=self.failed,
            copied=self.copied,
            unsent=self.unsent,
            calls=self.calls,
            translations=dict(self.translations),
            failures=tuple(self.failures),
        )


def _one_string_each(answers: object, count: int) -> bool:
    return isinstance(answers, list) and len(answers) == count and all(isinstance(a, str) for a in answers)


def _count(answers: object) -> str:
    if isinstance(answers, list):
        return f"{len(answers)} answer(s) of types {sorted({type(a).__name__ for a in answers})}"
    return f"a {type(answers).__name__}"
