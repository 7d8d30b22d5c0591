"""Engines and the runner, driven through the real client code against a LibreTranslate on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import time
import traceback

import pytest
from libretranslate_server import FakeLibreTranslate

from transpub.errors import ConfigError, EngineError
from transpub.settings import TranslateSettings
from transpub.translate.engines import (
    DeepLEngine,
    EchoEngine,
    Engine,
    EngineUnavailableError,
    LibreTranslateEngine,
    RetryPolicy,
    cldr_to_baidu,
    cldr_to_deepl_source,
    cldr_to_deepl_target,
    cldr_to_google,
    cldr_to_libre,
    cldr_to_libre_dt,
    cldr_to_microsoft,
    cldr_to_mymemory,
    make_engine,
    text_to_xml,
    xml_to_text,
)
from transpub.translate.protect import PlaceholderError
from transpub.translate.runner import RunAbortedError, translate_unique

FAST = RetryPolicy(retries=2, wait=0.01, max_wait=0.02)  # 3 attempts, ~30 ms of back-off
KEY = "k-7f3c9e-do-not-print"
SEGMENT = "On {date:2023-07-06} the **64th** [Assemblies](https://www.wipo.int/) met."


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    """No proxy may divert loopback calls, and no real key may leak into a test."""
    for variable in list(os.environ):
        if variable.lower().endswith("_proxy") or variable.startswith("TRANSPUB_"):
            monkeypatch.delenv(variable)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def server():
    with FakeLibreTranslate() as fake:
        yield fake


@pytest.fixture(params=["libretranslate", "libretranslate-dt"])
def client(request, monkeypatch):
    """Builds the direct client or deep-translator's LibreTranslator for a URL: both must behave."""

    def build(url: str, *, key: str | None = None, timeout: float = 2.0) -> Engine:
        if request.param == "libretranslate":
            return LibreTranslateEngine(url, key, timeout=timeout, retry=FAST)
        monkeypatch.setenv("TRANSPUB_LIBRETRANSLATE_API_KEY", key or "unused")
        settings = TranslateSettings(url=url, timeout=timeout, retries=FAST.retries, retry_wait=FAST.wait)
        return make_engine("libretranslate-dt", settings)

    return build


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens there once the probe is closed


def full_text(error: BaseException) -> str:
    return "".join(traceback.format_exception(error))


# --- the clients against the server -------------------------------------------------------------


def test_translates_a_batch(server, client):
    engine = client(server.url)
    assert engine.translate_batch(["Hello <x1/>", "<g2>World</g2>"], "en", "ja") == [
        "[ja] Hello <x1/>",
        "[ja] <g2>World</g2>",
    ]
    shapes = [(r.path, r.shape) for r in server.requests]
    if engine.name == "libretranslate":  # one JSON request for the whole batch
        assert shapes == [("/translate", "json")]
        assert server.requests[0].params["q"] == ["Hello <x1/>", "<g2>World</g2>"]
    else:  # deep-translator: one query-string request per text
        assert shapes == [("/translate", "query"), ("/translate", "query")]


def test_language_codes_reach_the_server(server):
    LibreTranslateEngine(server.url, retry=FAST).translate_batch(["a"], "en", "zh_Hant")
    assert server.requests[0].params["target"] == "zt"


def test_rate_limit_is_retried_then_succeeds(server, client):
    server.configure(fail_first=2, fail_status=429)
    assert client(server.url).translate_batch(["Hello"], "en", "de") == ["[de] Hello"]
    assert server.request_count == 3


def test_server_errors_give_up_after_the_retries(server, client):
    server.configure(mode="error500")
    with pytest.raises(EngineError, match="gave up after 3 attempts") as caught:
        client(server.url).translate_batch(["Hello"], "en", "de")
    assert not isinstance(caught.value, EngineUnavailableError)  # a sick server is not a dead one
    assert server.request_count == 3


def test_a_hanging_server_times_out_quickly(server, client):
    server.configure(mode="hang")
    engine = client(server.url, timeout=0.2)
    started = time.monotonic()
    with pytest.raises(EngineUnavailableError, match="did not answer within 0.2 s"):
        engine.translate_batch(["Hello"], "en", "de")
    assert time.monotonic() - started < 2.0
    assert server.request_count == 3


def test_an_unreachable_server_is_reported(client):
    url = closed_port_url()
    with pytest.raises(EngineUnavailableError, match="unreachable"):
        client(url).translate_batch(["Hello"], "en", "de")


@pytest.mark.parametrize("mode", ["garbage_html", "garbage_empty", "garbage_type", "garbage_length"])
@pytest.mark.parametrize("texts", [["one"], ["one", "two"]])
def test_a_garbage_answer_is_an_error_never_a_translation(server, client, mode, texts):
    server.configure(mode=mode)
    with pytest.raises(EngineError) as caught:
        client(server.url).translate_batch(texts, "en", "de")
    assert not isinstance(caught.value, PlaceholderError)


def test_a_rejected_key_says_so_without_showing_it(server, client):
    server.configure(api_key="the-right-key")
    with pytest.raises(EngineUnavailableError, match="API key") as caught:
        client(server.url, key=KEY).translate_batch(["Hello"], "en", "de")
    assert "TRANSPUB_LIBRETRANSLATE_API_KEY" in str(caught.value)
    assert KEY not in full_text(caught.value)


def test_the_direct_client_sends_the_key_in_the_body_only(server):
    server.configure(api_key=KEY)
    engine = LibreTranslateEngine(server.url, KEY, retry=FAST)
    assert engine.translate_batch(["Hello"], "en", "de") == ["[de] Hello"]
    assert server.requests[0].shape == "json" and server.requests[0].params["api_key"] == KEY
    assert KEY not in repr(engine)


@pytest.mark.parametrize("scenario", ["unreachable", "error500", "hang", "garbage_html", "garbage_type"])
def test_no_error_ever_shows_the_key(server, client, scenario):
    url = closed_port_url() if scenario == "unreachable" else server.url
    if scenario != "unreachable":
        server.configure(mode=scenario)
    with pytest.raises(EngineError) as caught:
        client(url, key=KEY, timeout=0.2).translate_batch(["Hello"], "en", "de")
    assert KEY not in full_text(caught.value)


# --- the runner -----------------------------------------------------------------------------------


def test_identical_texts_are_sent_once(server):
    engine = LibreTranslateEngine(server.url, retry=FAST)
    results = []
    texts = [SEGMENT] * 10 + ["Second text."] * 5 + ["Third {country:CH} text."]
    report = translate_unique(engine, texts, "en", "ja", on_result=lambda *r: results.append(r))
    assert server.request_count == 3
    assert sorted(server.texts_received()) == sorted(
        ["On <x1/> the <g2>64th</g2> <g3>Assemblies</g3> met.", "Second text.", "Third <x1/> text."]
    )
    assert (report.unique, report.sent, report.translated, report.calls) == (3, 3, 3, 3)
    assert report.translations[SEGMENT] == "[ja] " + SEGMENT
    assert sorted(text for text, _, _ in results) == sorted(set(texts))
    assert all(error is None for _, _, error in results)


def test_concurrency_is_bounded(server):
    server.configure(latency=0.05)
    engine = LibreTranslateEngine(server.url, retry=FAST)
    report = translate_unique(engine, [f"Text number {i}" for i in range(12)], "en", "de", concurrency=4)
    assert report.translated == 12
    assert 2 <= server.max_in_flight <= 4


def test_a_dropped_placeholder_is_rejected_not_saved(server, client):
    server.configure(mode="drop_placeholder")
    results = []
    report = translate_unique(client(server.url), [SEGMENT], "en", "ja", on_result=lambda *r: results.append(r))
    assert (report.sent, report.translated, report.rejected, report.failed) == (1, 0, 1, 0)
    [(text, translated, error)] = results
    assert text == SEGMENT and translated is None and isinstance(error, PlaceholderError)
    assert SEGMENT not in report.translations


def test_failures_are_collected_and_the_run_goes_on(server):
    server.configure(mode="error500")
    report = translate_unique(LibreTranslateEngine(server.url, retry=FAST), ["a b", "c d", "e f"], "en", "de")
    assert (report.sent, report.translated, report.failed) == (3, 0, 3)
    assert all("HTTP 500" in str(failure.error) for failure in report.failures)


def test_an_unusable_engine_stops_the_run_early(server, client):
    server.configure(api_key="the-right-key")
    texts = [f"Text number {i}" for i in range(30)]
    with pytest.raises(RunAbortedError, match="API key") as caught:
        translate_unique(client(server.url, key=KEY), texts, "en", "de", concurrency=2, stop_after=3)
    report = caught.value.report
    assert report.calls <= 4 < len(texts) and report.unsent == len(texts) - report.calls
    assert server.request_count <= 4
    assert KEY not in full_text(caught.value)


def test_an_unreachable_engine_stops_even_a_short_run(client):
    with pytest.raises(RunAbortedError, match="every call failed.*unreachable"):
        translate_unique(client(closed_port_url()), ["one text"], "en", "de")


def test_failures_at_the_very_end_do_not_abort_a_finished_run():
    class DiesAfterTwo:
        name = "dies-after-two"
        calls = 0

        def translate_batch(self, texts, source, target):
            self.calls += 1
            if self.calls > 2:
                raise EngineUnavailableError("gone")
            return list(texts)

    report = translate_unique(DiesAfterTwo(), [f"text {i}" for i in range(5)], "en", "de", concurrency=1)
    assert (report.translated, report.failed, report.unsent) == (2, 3, 0)


def test_texts_with_nothing_to_translate_are_not_sent():
    engine = EchoEngine()
    report = translate_unique(engine, ["{country:CH}", "**{date:2023-07-06}** 2023", "Geneva"], "en", "fr")
    assert engine.batches == [["Geneva"]]
    assert (report.copied, report.sent, report.translated) == (2, 1, 1)
    assert report.translations["{country:CH}"] == "{country:CH}"


def test_batches_and_restored_answers():
    engine = EchoEngine()
    texts = [f"*Item* {i}" for i in range(7)]
    report = translate_unique(engine, texts, "en", "ja", batch_size=3, concurrency=2)
    assert sorted(len(batch) for batch in engine.batches) == [1, 3, 3]
    assert report.translations == {text: "[ja] " + text for text in texts}


def test_an_engine_that_miscounts_its_answers_fails_those_texts():
    class Miscounting:
        name = "miscounting"

        def translate_batch(self, texts, source, target):
            return []

    report = translate_unique(Miscounting(), ["one", "two"], "en", "de")
    assert (report.failed, report.translated) == (2, 0)


# --- DeepL through the deepl package --------------------------------------------------------------


def test_deepl_sends_placeholders_as_xml_tags(server, monkeypatch):
    monkeypatch.setenv("TRANSPUB_DEEPL_API_KEY", KEY)
    engine = make_engine("deepl", TranslateSettings(url=server.url, timeout=5, retries=0), source="en", targets=["ja"])
    assert isinstance(engine, DeepLEngine)
    assert engine.translate_batch(["AT&T <x1/> <g2>big</g2> a < b"], "en", "ja") == [
        "[JA] AT&T <x1/> <g2>big</g2> a < b"
    ]
    [request] = server.requests
    assert request.path == "/v2/translate"
    assert request.params["text"] == ["AT&amp;T <x1/> <g2>big</g2> a &lt; b"]
    assert (request.params["tag_handling"], request.params["source_lang"], request.params["target_lang"]) == (
        "xml",
        "EN",
        "JA",
    )


def test_deepl_rejected_key(server, monkeypatch):
    server.configure(api_key="the-right-key")
    monkeypatch.setenv("TRANSPUB_DEEPL_API_KEY", KEY)
    with pytest.raises(EngineUnavailableError, match="DeepL rejected the API key") as caught:
        make_engine("deepl", TranslateSettings(url=server.url, timeout=5)).translate_batch(["Hello"], "en", "de")
    assert KEY not in full_text(caught.value)


def test_xml_escaping_round_trip():
    text = "A & B <x1/> <g2>x < y</g2> &amp;"
    assert text_to_xml(text) == "A &amp; B <x1/> <g2>x &lt; y</g2> &amp;amp;"
    assert xml_to_text(text_to_xml(text)) == text


# --- language codes and the factory ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("to_code", "locale", "code"),
    [
        (cldr_to_google, "zh_Hans", "zh-CN"),
        (cldr_to_google, "zh_Hant", "zh-TW"),
        (cldr_to_google, "he", "iw"),
        (cldr_to_google, "pt_BR", "pt"),
        (cldr_to_google, "ja", "ja"),
        (cldr_to_libre, "zh_Hans", "zh"),
        (cldr_to_libre, "zh_Hant", "zt"),
        (cldr_to_libre, "pt_BR", "pt"),
        (cldr_to_libre_dt, "zh", "zh"),
        (cldr_to_libre_dt, "ar", "ar"),
        (cldr_to_mymemory, "ja", "ja-JP"),
        (cldr_to_mymemory, "he", "he-IL"),
        (cldr_to_mymemory, "zh_Hant", "zh-TW"),
        (cldr_to_mymemory, "pt_BR", "pt-BR"),
        (cldr_to_mymemory, "en", "en-US"),
        (cldr_to_microsoft, "zh_Hans", "zh-hans"),
        (cldr_to_microsoft, "zh_TW", "zh-hant"),
        (cldr_to_microsoft, "pt_PT", "pt-pt"),
        (cldr_to_baidu, "ja", "jp"),
        (cldr_to_baidu, "ar", "ara"),
        (cldr_to_baidu, "zh_Hant", "cht"),
        (cldr_to_deepl_source, "pt_BR", "PT"),
        (cldr_to_deepl_target, "en", "EN-US"),
        (cldr_to_deepl_target, "pt_BR", "PT-BR"),
        (cldr_to_deepl_target, "pt_PT", "PT-PT"),
        (cldr_to_deepl_target, "zh_Hant", "ZH-HANT"),
        (cldr_to_deepl_target, "ja", "JA"),
        (cldr_to_deepl_target, "he", "HE"),
    ],
)
def test_cldr_ids_map_to_each_backend(to_code, locale, code):
    assert to_code(locale) == code


@pytest.mark.parametrize(
    ("to_code", "locale"),
    [
        (cldr_to_libre_dt, "zh_Hant"),
        (cldr_to_baidu, "he"),
        (cldr_to_google, "xx"),
        (cldr_to_deepl_target, "xx"),
        (cldr_to_libre, "日本"),
    ],
)
def test_unsupported_languages_are_engine_errors(to_code, locale):
    with pytest.raises(EngineError):
        to_code(locale)


def test_make_engine_errors(monkeypatch):
    with pytest.raises(EngineError, match="unknown engine 'bing'; known engines: libretranslate"):
        make_engine("bing")
    with pytest.raises(EngineError, match="TRANSPUB_DEEPL_API_KEY"):
        make_engine("deepl")
    with pytest.raises(ConfigError, match="url"):  # --engine libre with a [translate] that has no url
        make_engine("libre")
    monkeypatch.setenv("TRANSPUB_LIBRETRANSLATE_API_KEY", KEY)
    with pytest.raises(EngineError, match="does not support the language 'zh_Hant'"):
        make_engine("libretranslate-dt", TranslateSettings(url="http://127.0.0.1:1"), source="en", targets=["ja", "zh_Hant"])


def test_make_engine_builds_engines_without_network(monkeypatch):
    monkeypatch.setenv("TRANSPUB_LIBRETRANSLATE_API_KEY", KEY)
    settings = TranslateSettings(url="http://127.0.0.1:1/", timeout=3.0, retries=0, retry_wait=0.5)
    engine = make_engine("libre", settings)
    assert isinstance(engine, LibreTranslateEngine) and isinstance(engine, Engine)
    assert (engine.name, engine.url, engine.timeout, engine.retry) == (
        "libretranslate",
        "http://127.0.0.1:1",
        3.0,
        RetryPolicy(retries=0, wait=0.5),
    )
    assert KEY not in repr(engine)
    assert isinstance(make_engine("echo"), EchoEngine)
    for name in ("google", "mymemory"):
        assert make_engine(name, source="en", targets=["ja", "zh_Hant", "he", "pt_BR", "ar"]).name == name
