"""Machine-translation engines behind one small protocol, and the factory that builds them.

    Engine (Protocol)          name; translate_batch(texts, source, target) -> list[str]
    ├── LibreTranslateEngine   "libretranslate": direct HTTP client (requests) — timeouts, batches,
    │                          optional key; the default way to reach LibreTranslate
    ├── DeepLEngine            "deepl": the maintained `deepl` package (deep-translator's is broken)
    ├── DeepTranslatorEngine   "google", "microsoft", "mymemory", "baidu", and "libretranslate-dt"
    │                          (deep-translator's own LibreTranslate client) via deep-translator
    └── EchoEngine             "echo": in-process test double, no network

Every adapter turns third-party failures into :class:`EngineError` with a plain message (raised
``from`` the original unless that would print an API key). :class:`EngineUnavailableError` marks the
failures after which no call can succeed (unreachable, no answer in time, key rejected) so a run can
stop early. Rate limits (429), server errors (5xx), dropped connections and timeouts are retried
with exponential back-off (tenacity; the deepl package retries by itself); calls that cannot finish
in time are abandoned, never waited on.

Locale ids are CLDR style (``ja``, ``zh_Hans``, ``pt_BR``); each backend has a ``cldr_to_*``
function for its own codes. API keys come only from ``TRANSPUB_<ENGINE>_API_KEY`` variables.
"""

from __future__ import annotations

import html
import os
import re
import threading
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol, TypeVar, runtime_checkable

import requests
import tenacity

from ..errors import ConfigError, EngineError
from ..settings import ENGINE_NAMES, TranslateSettings, canonical_engine
from .protect import PLACEHOLDER_RE

T = TypeVar("T")


@runtime_checkable
class Engine(Protocol):
    """Translates a batch of texts; one answer per text, in order, or an EngineError."""

    name: str

    def translate_batch(self, texts: Sequence[str], source: str, target: str) -> list[str]: ...


class EngineUnavailableError(EngineError):
    """No call to this engine can succeed now: unreachable, not answering in time, or key rejected."""


# --- language codes -----------------------------------------------------------------------------

_LOCALE_RE = re.compile(r"([A-Za-z]{2,3})(?:[_-]([A-Za-z]{4}))?(?:[_-]([A-Za-z]{2}|\d{3}))?")


def _split_locale(locale: str) -> tuple[str, str | None, str | None]:
    match = _LOCALE_RE.fullmatch(locale.strip())
    if not match:
        raise EngineError(f"{locale!r} is not a CLDR locale id (like ja, zh_Hans, pt_BR)")
    language, script, region = match.groups()
    return language.lower(), script.title() if script else None, region.upper() if region else None


def _chinese_script(script: str | None, region: str | None) -> str:
    return script or ("Hant" if region in ("TW", "HK", "MO") else "Hans")


def _unsupported(engine: str, locale: str) -> EngineError:
    return EngineError(f"engine {engine!r} does not support the language {locale!r}")


def cldr_to_google(locale: str) -> str:
    """Google (deep-translator) codes: ``zh-CN``/``zh-TW``, ``iw`` for Hebrew, else the language."""
    from deep_translator.constants import GOOGLE_LANGUAGES_TO_CODES

    language, script, region = _split_locale(locale)
    if language == "zh":
        code = "zh-TW" if _chinese_script(script, region) == "Hant" else "zh-CN"
    else:
        code = {"he": "iw", "jv": "jw", "fil": "tl", "nb": "no"}.get(language, language)
    if code not in GOOGLE_LANGUAGES_TO_CODES.values():
        raise _unsupported("google", locale)
    return code


def cldr_to_microsoft(locale: str) -> str:
    """Microsoft codes (lower case, as deep-translator lists them): ``zh-hans``, ``pt-pt``, ``he``."""
    language, script, region = _split_locale(locale)
    if language == "zh":
        return f"zh-{_chinese_script(script, region).lower()}"
    if language == "pt" and region == "PT":
        return "pt-pt"
    if language in ("sr", "mn") and script:  # the two languages Microsoft splits by script
        return f"{language}-{script.lower()}"
    return language


def cldr_to_mymemory(locale: str) -> str:
    """MyMemory codes are language-REGION (``ja-JP``, ``he-IL``); the region defaults to CLDR's likely one."""
    from babel.core import get_global
    from deep_translator.constants import MY_MEMORY_LANGUAGES_TO_CODES

    language, script, region = _split_locale(locale)
    if language == "zh" and not region:
        region = "TW" if _chinese_script(script, region) == "Hant" else "CN"
    if not region:
        likely = get_global("likely_subtags").get(language, "")
        region = likely.rsplit("_", 1)[-1] if likely.count("_") == 2 else None
    codes = set(MY_MEMORY_LANGUAGES_TO_CODES.values())
    if f"{language}-{region}" in codes:
        return f"{language}-{region}"
    same_language = sorted(code for code in codes if code.split("-")[0] == language)
    if not same_language:
        raise _unsupported("mymemory", locale)
    return same_language[0]


def cldr_to_libre(locale: str) -> str:
    """LibreTranslate codes: ``zh`` (Simplified), ``zt`` (Traditional), else the language.

    Which languages a server offers depends on the models it installed, so the server decides.
    """
    language, script, region = _split_locale(locale)
    if language == "zh":
        return "zt" if _chinese_script(script, region) == "Hant" else "zh"
    return language


def cldr_to_libre_dt(locale: str) -> str:
    """deep-translator's LibreTranslate client checks codes against its own (short, static) list."""
    from deep_translator.constants import LIBRE_LANGUAGES_TO_CODES

    code = cldr_to_libre(locale)
    if code not in LIBRE_LANGUAGES_TO_CODES.values():
        raise _unsupported("libretranslate-dt", locale)
    return code


def cldr_to_baidu(locale: str) -> str:
    """Baidu codes are its own (``jp``, ``kor``, ``ara``, ``cht``): looked up by English language name."""
    from babel import Locale
    from deep_translator.constants import BAIDU_LANGUAGE_TO_CODE

    language, script, region = _split_locale(locale)
    if language == "zh":
        return "cht" if _chinese_script(script, region) == "Hant" else "zh"
    name = Locale("en").languages.get(language, "").lower()
    if name not in BAIDU_LANGUAGE_TO_CODE:
        raise _unsupported("baidu", locale)
    return BAIDU_LANGUAGE_TO_CODE[name]


@cache
def _deepl_codes() -> frozenset[str]:
    import deepl

    return frozenset(v.upper() for k, v in vars(deepl.Language).items() if k.isupper() and isinstance(v, str))


def cldr_to_deepl_source(locale: str) -> str:
    """DeepL source languages are bare languages: ``JA``, ``EN``, ``ZH``, ``PT``."""
    language = _split_locale(locale)[0].upper()
    if language not in _deepl_codes():
        raise _unsupported("deepl", locale)
    return language


def cldr_to_deepl_target(locale: str) -> str:
    """DeepL targets name variants: ``EN-US``/``EN-GB``, ``PT-BR``/``PT-PT``, ``ZH-HANS``/``ZH-HANT``."""
    language, script, region = _split_locale(locale)
    if language == "en":
        code = "EN-US" if region in (None, "US") else "EN-GB"
    elif language == "pt":
        code = "PT-BR" if region in (None, "BR") else "PT-PT"  # CLDR's plain "pt" is Brazilian
    elif language == "zh":
        code = f"ZH-{_chinese_script(script, region).upper()}"
    elif language == "es" and region == "419":
        code = "ES-419"
    else:
        code = language.upper()
    if code not in _deepl_codes():
        raise _unsupported("deepl", locale)
    return code


# --- retries, deadlines and safe errors ---------------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a failed call is retried (rate limits, 5xx, network, timeouts)."""

    retries: int = TranslateSettings.retries  # attempts after the first one
    wait: float = TranslateSettings.retry_wait  # first pause in seconds; doubled after every attempt
    max_wait: float = 20.0


class _Retryable(Exception):
    """Carries an EngineError (and its cause) worth another attempt; never leaves this module."""

    def __init__(self, error: EngineError, cause: BaseException | None = None):
        super().__init__(error.message)
        self.error = error
        self.cause = cause


def _with_retries(call: Callable[[], T], policy: RetryPolicy) -> T:
    retrying = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(policy.retries + 1),
        wait=tenacity.wait_exponential(multiplier=policy.wait, max=policy.max_wait),
        retry=tenacity.retry_if_exception_type(_Retryable),
        reraise=True,
    )
    try:
        return retrying(call)
    except _Retryable as last:
        error = last.error
        if policy.retries:
            error = type(error)(f"{error.message} (gave up after {policy.retries + 1} attempts)")
        raise error from last.cause


def _safe_cause(cause: BaseException, secrets: Iterable[str | None] = ()) -> BaseException | None:
    """``cause`` to chain for debugging, or None if printing it would reveal a secret.

    deep-translator puts the key in query strings (so in requests' error text) and in its own
    AuthorizationException message: such a cause is dropped rather than shown in a traceback.
    """
    printed = "".join(traceback.format_exception(cause))
    return None if any(secret and secret in printed for secret in secrets) else cause


class _DeadlineExceeded(Exception):
    pass


def _call_with_deadline(call: Callable[[], T], timeout: float) -> T:
    """Run ``call`` in a daemon thread and stop waiting after ``timeout`` seconds.

    For clients without a timeout of their own (deep-translator has none; deepl's is at least
    10 s per try plus its own retries): the abandoned thread finishes or dies with the process,
    and being a daemon it never holds the program open.
    """
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:  # handed to the waiting thread below
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="transpub-engine-call", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise _DeadlineExceeded
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _short(text: object, limit: int = 200) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _redact(text: str, secrets: Iterable[str | None]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def _check_answers(answers: object, count: int, where: str, secrets: Iterable[str | None] = ()) -> list[str]:
    """A 200 answer is only a translation if it holds exactly ``count`` strings, and none of them
    carries the API key (a server that echoes it would have it saved into a catalog)."""
    if not isinstance(answers, list) or len(answers) != count or not all(isinstance(a, str) for a in answers):
        raise EngineError(f"{where} answered without {count} translated text(s) ({_describe(answers)})")
    if any(secret and secret in answer for secret in secrets for answer in answers):
        raise EngineError(f"{where} answered with the API key inside a translation: refused, nothing saved")
    return answers


def _describe(value: object) -> str:
    if isinstance(value, list):
        return f"a list of {len(value)} {'/'.join(sorted({type(v).__name__ for v in value})) or 'items'}"
    return "nothing" if value is None else f"a {type(value).__name__}"


# --- LibreTranslate, direct ---------------------------------------------------------------------


class LibreTranslateEngine:
    """LibreTranslate over its HTTP API: POST ``<url>/translate`` with JSON, a timeout on every call.

    Preferred over deep-translator's LibreTranslator, which has no timeout (a server that accepts
    and never answers blocks forever), sends one request per text, requires a key even for servers
    without keys, puts the key in the query string (so in proxy logs and error messages), and
    does not check what a 200 answer contains.
    """

    name = "libretranslate"

    def __init__(
        self,
        url: str,
        api_key: str | None = None,
        *,
        timeout: float = TranslateSettings.timeout,
        retry: RetryPolicy = RetryPolicy(),
    ):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.retry = retry
        self._api_key = api_key
        # A Session keeps the (TLS) connection open between calls; it is not documented as
        # thread-safe, so each worker thread gets its own.
        self._local = threading.local()

    def __repr__(self) -> str:
        return f"LibreTranslateEngine({self.url!r}, api_key={'***' if self._api_key else None})"

    def translate_batch(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        if not texts:
            return []
        # A single text goes as a string: servers older than batch support accept only that.
        payload: dict[str, object] = {
            "q": texts[0] if len(texts) == 1 else list(texts),
            "source": cldr_to_libre(source),
            "target": cldr_to_libre(target),
            "format": "text",
        }
        if self._api_key:
            payload["api_key"] = self._api_key
        answer = _with_retries(lambda: self._post(payload), self.retry)
        if not isinstance(answer, dict) or "translatedText" not in answer:
            raise EngineError(f"LibreTranslate at {self.url} answered without translatedText ({_describe(answer)})")
        translated = answer["translatedText"]
        if isinstance(translated, str) and len(texts) == 1:
            translated = [translated]
        return _check_answers(translated, len(texts), f"LibreTranslate at {self.url}", [self._api_key])

    def _post(self, payload: Mapping[str, object]) -> object:
        where = f"LibreTranslate at {self.url}"
        try:
            response = self._session().post(f"{self.url}/translate", json=payload, timeout=self.timeout)
        except requests.ConnectTimeout as exc:
            raise _Retryable(EngineUnavailableError(f"{where} is unreachable (connection timed out)"), exc) from None
        except requests.Timeout as exc:
            raise _Retryable(EngineUnavailableError(f"{where} did not answer within {self.timeout:g} s"), exc) from None
        except requests.ConnectionError as exc:
            raise _Retryable(EngineUnavailableError(f"{where} is unreachable (connection failed)"), exc) from None
        except requests.RequestException as exc:
            raise EngineError(f"{where}: the request failed ({type(exc).__name__})") from exc
        status = response.status_code
        detail = _redact(_libre_error_detail(response), [self._api_key])
        if status in (401, 403):
            problem = "rejected the API key" if self._api_key else "requires an API key"
            raise EngineUnavailableError(f"{where} {problem} (HTTP {status}); set {LIBRE_KEY_VARIABLES[0]}")
        if status == 429 or status >= 500:
            raise _Retryable(EngineError(f"{where} answered HTTP {status}{detail}"))
        if status != 200:
            raise EngineError(f"{where} refused the request (HTTP {status}{detail})")
        try:
            return response.json()
        except ValueError as exc:
            kind = response.headers.get("Content-Type", "no content type")
            raise EngineError(f"{where} answered with {kind!r}, not JSON; is the URL right?") from exc

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session


def _libre_error_detail(response: requests.Response) -> str:
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return ""
    return f": {_short(error)}" if error else ""


# --- deep-translator backends -------------------------------------------------------------------


# deep-translator's ServerException keeps only a message per status: 429, 500, 503 and "other".
_DT_TRANSIENT = {"ERR_TOO_MANY_REQUESTS", "ERR_INTERNAL_SERVER_ERROR", "ERR_SERVICE_NOT_AVAIBLE", "API server error"}


class DeepTranslatorEngine:
    """One deep-translator backend, with the deadline, retries and error mapping it lacks."""

    def __init__(
        self,
        name: str,
        make_translator: Callable[[str, str], Any],
        to_code: Callable[[str], str],
        *,
        timeout: float = TranslateSettings.timeout,
        retry: RetryPolicy = RetryPolicy(),
        secrets: Sequence[str] = (),
        key_variable: str = "",
    ):
        self.name = name
        self.timeout = timeout
        self.retry = retry
        self._make_translator = make_translator
        self._to_code = to_code
        self._secrets = tuple(secrets)
        self._key_variable = key_variable
        self._local = threading.local()

    def __repr__(self) -> str:
        return f"DeepTranslatorEngine({self.name!r})"

    def translate_batch(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        codes = self._to_code(source), self._to_code(target)
        # deep-translator's own translate_batch is a loop of translate() too; looping here gives
        # each text its own deadline and retries.
        answers = [_with_retries(lambda text=text: self._translate_one(text, *codes), self.retry) for text in texts]
        return _check_answers(answers, len(texts), self.name, self._secrets)

    def _translate_one(self, text: str, source: str, target: str) -> str:
        translators = self._local.__dict__.setdefault("translators", {})
        try:
            translator = self._translator(translators, source, target)
            result = _call_with_deadline(lambda: translator.translate(text), self.timeout)
        except Exception as exc:  # every deep-translator failure is mapped to an EngineError
            if isinstance(exc, _DeadlineExceeded):
                translators.pop((source, target), None)  # still in use by the abandoned call
            error, retry = self._error(exc)
            cause = _safe_cause(exc, self._secrets)
            if retry:
                raise _Retryable(error, cause) from None
            raise error from cause
        if not isinstance(result, str):
            raise EngineError(f"{self.name} answered with {_describe(result)}, not a translated text")
        return result

    def _translator(self, translators: dict[tuple[str, str], Any], source: str, target: str) -> Any:
        # One instance per worker thread and language pair: Google's and MyMemory's translate()
        # park the text on the instance, so a shared one would mix texts up between threads; and
        # Microsoft's constructor fetches its language list online, so it is not rebuilt per call.
        if (source, target) not in translators:
            make = self._make_translator
            translators[source, target] = _call_with_deadline(lambda: make(source, target), self.timeout)
        return translators[source, target]

    def _error(self, exc: Exception) -> tuple[EngineError, bool]:
        """The EngineError for a deep-translator failure, and whether another attempt may help."""
        from deep_translator import exceptions as dt

        name = self.name
        if isinstance(exc, _DeadlineExceeded):
            return EngineUnavailableError(f"{name} did not answer within {self.timeout:g} s"), True
        if isinstance(exc, requests.ConnectionError | requests.Timeout):
            return EngineUnavailableError(f"{name} is unreachable ({type(exc).__name__})"), True
        if isinstance(exc, dt.AuthorizationException | dt.ApiKeyException):
            hint = f"; set {self._key_variable}" if self._key_variable else ""
            return EngineUnavailableError(f"{name} rejected the API key{hint}"), False
        if isinstance(exc, dt.TooManyRequests):
            return EngineError(f"{name} is limiting requests (HTTP 429)"), True
        if isinstance(exc, dt.ServerException):
            reason = str(exc.args[0]) if exc.args else "server error"
            return EngineError(f"{name} answered with an error ({reason})"), reason in _DT_TRANSIENT
        if isinstance(exc, dt.LanguageNotSupportedException | dt.InvalidSourceOrTargetLanguage):
            return EngineError(f"{name} does not support this language pair"), False
        if isinstance(exc, ValueError | KeyError | TypeError | IndexError | dt.TranslationNotFound):
            # A 200 answer that is HTML, empty or shaped wrong surfaces as one of these.
            return EngineError(f"{name} gave an answer that is not a translation ({type(exc).__name__})"), False
        return EngineError(f"{name} failed: {type(exc).__name__}: {_redact(_short(exc), self._secrets)}"), False


def _deep_translator_backend(
    name: str, settings: TranslateSettings, timeout: float, retry: RetryPolicy
) -> DeepTranslatorEngine:
    import deep_translator as dt

    key: str | None = None
    if name == "google":
        make, to_code = (lambda s, t: dt.GoogleTranslator(source=s, target=t)), cldr_to_google
    elif name == "mymemory":
        make, to_code = (lambda s, t: dt.MyMemoryTranslator(source=s, target=t)), cldr_to_mymemory
    elif name == "microsoft":
        key, region = _require_key(name), settings.region
        make, to_code = (lambda s, t: dt.MicrosoftTranslator(s, t, api_key=key, region=region)), cldr_to_microsoft
    elif name == "baidu":
        key, app_id = _require_key(name), _require_variable("TRANSPUB_BAIDU_APP_ID", name)
        make, to_code = (lambda s, t: dt.BaiduTranslator(s, t, appid=app_id, appkey=key)), cldr_to_baidu
    else:  # "libretranslate-dt"
        key = _libre_key()
        if not key:
            raise EngineError(
                f"deep-translator's LibreTranslate client always sends a key: set {LIBRE_KEY_VARIABLES[0]} "
                '(any value works for a server without keys), or use engine = "libretranslate"'
            )
        url = _require_url(settings, name) + "/"  # deep-translator appends "translate" to it as is
        make, to_code = (lambda s, t: dt.LibreTranslator(s, t, api_key=key, custom_url=url)), cldr_to_libre_dt
    variable = (LIBRE_KEY_VARIABLES[0] if name == "libretranslate-dt" else _key_variable(name)) if key else ""
    return DeepTranslatorEngine(
        name, make, to_code, timeout=timeout, retry=retry, secrets=(key,) if key else (), key_variable=variable
    )


# --- DeepL ----------------------------------------------------------------------------------------


class DeepLEngine:
    """DeepL through the maintained ``deepl`` package, placeholders sent as XML tags.

    With ``tag_handling="xml"`` DeepL keeps ``<x1/>`` and ``<g2>…</g2>`` and moves pairs with
    their words; the prose around them is XML-escaped on the way out and unescaped on the way back.
    The package already retries 429, 5xx and network errors with back-off (a module-wide setting),
    so no retries are stacked on top; the whole call gets ``timeout × (retries + 1)`` seconds.
    """

    name = "deepl"

    def __init__(
        self,
        api_key: str,
        *,
        server_url: str | None = None,
        timeout: float = TranslateSettings.timeout,
        retry: RetryPolicy = RetryPolicy(),
    ):
        import deepl

        self.deadline = timeout * (retry.retries + 1)
        self._key = api_key
        self._translator = deepl.Translator(api_key, server_url=server_url, send_platform_info=False)

    def __repr__(self) -> str:
        return "DeepLEngine()"

    def translate_batch(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        if not texts:
            return []
        source_code, target_code = cldr_to_deepl_source(source), cldr_to_deepl_target(target)

        def call() -> list[str]:
            results = self._translator.translate_text(
                [text_to_xml(text) for text in texts],
                source_lang=source_code,
                target_lang=target_code,
                tag_handling="xml",
                preserve_formatting=True,
            )
            return [result.text for result in results]

        try:
            answers = _call_with_deadline(call, self.deadline)
        except Exception as exc:  # every deepl failure is mapped to an EngineError
            raise _deepl_error(exc, self.deadline, self._key) from _safe_cause(exc, [self._key])
        return [xml_to_text(answer) for answer in _check_answers(answers, len(texts), "DeepL", [self._key])]


def _deepl_error(exc: Exception, deadline: float, key: str) -> EngineError:
    import deepl

    if isinstance(exc, _DeadlineExceeded):
        return EngineUnavailableError(f"DeepL did not answer within {deadline:g} s")
    if isinstance(exc, deepl.AuthorizationException):
        return EngineUnavailableError("DeepL rejected the API key; check TRANSPUB_DEEPL_API_KEY")
    if isinstance(exc, deepl.QuotaExceededException):
        return EngineUnavailableError("DeepL: the account's character quota is used up")
    if isinstance(exc, deepl.ConnectionException):
        return EngineUnavailableError(f"DeepL is unreachable: {_redact(_short(exc), [key])}")
    if isinstance(exc, deepl.DeepLException):  # includes 429 and 5xx after the package's own retries
        return EngineError(f"DeepL refused the request: {_redact(_short(exc), [key])}")
    # A 200 answer shaped wrong surfaces as one of these.
    return EngineError(f"DeepL gave an answer that is not a translation ({type(exc).__name__})")


def text_to_xml(text: str) -> str:
    """Escape the prose of a protected text, leaving its placeholders as XML tags."""
    parts, pos = [], 0
    for match in PLACEHOLDER_RE.finditer(text):
        parts += [html.escape(text[pos : match.start()], quote=False), match.group(0)]
        pos = match.end()
    return "".join(parts) + html.escape(text[pos:], quote=False)


def xml_to_text(xml: str) -> str:
    """Inverse of :func:`text_to_xml`: unescape the prose, keep the tags."""
    parts, pos = [], 0
    for match in PLACEHOLDER_RE.finditer(xml):
        parts += [html.unescape(xml[pos : match.start()]), match.group(0)]
        pos = match.end()
    return "".join(parts) + html.unescape(xml[pos:])


# --- test double ----------------------------------------------------------------------------------


class EchoEngine:
    """In-process test double: answers ``"[ja] " + text`` (placeholders intact) and records each batch."""

    name = "echo"

    def __init__(self, prefix: str = "[{target}] "):
        self.prefix = prefix
        self.batches: list[list[str]] = []
        self._lock = threading.Lock()

    def translate_batch(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        with self._lock:
            self.batches.append(list(texts))
        return [self.prefix.format(source=source, target=target) + text for text in texts]


# --- factory --------------------------------------------------------------------------------------

# Both names work for LibreTranslate's key, matching engine = "libretranslate" or "libre".
LIBRE_KEY_VARIABLES = ("TRANSPUB_LIBRETRANSLATE_API_KEY", "TRANSPUB_LIBRE_API_KEY")

_CODE_CHECKS: dict[str, tuple[Callable[[str], str], Callable[[str], str]]] = {
    "libretranslate": (cldr_to_libre, cldr_to_libre),
    "libretranslate-dt": (cldr_to_libre_dt, cldr_to_libre_dt),
    "deepl": (cldr_to_deepl_source, cldr_to_deepl_target),
    "google": (cldr_to_google, cldr_to_google),
    "microsoft": (cldr_to_microsoft, cldr_to_microsoft),
    "mymemory": (cldr_to_mymemory, cldr_to_mymemory),
    "baidu": (cldr_to_baidu, cldr_to_baidu),
}


def make_engine(
    name: str,
    settings: TranslateSettings = TranslateSettings(),
    *,
    source: str | None = None,
    targets: Iterable[str] = (),
) -> Engine:
    """Build the engine ``name`` (``--engine``, else ``settings.engine``) with the ``[translate]`` settings.

    Used here: ``url`` (LibreTranslate; for DeepL an optional server URL), ``timeout``, ``retries``,
    ``retry_wait`` and ``region`` (Microsoft); transpub.toml checked their values when it was read.
    Keys come from ``TRANSPUB_<ENGINE>_API_KEY``. Given ``source``/``targets``, unsupported languages
    fail here, before any call.
    """
    engine = canonical_engine(name)
    if engine is None:
        raise EngineError(f"unknown engine {name!r}; known engines: {', '.join(ENGINE_NAMES)}")
    name = engine
    retry = RetryPolicy(retries=settings.retries, wait=settings.retry_wait)
    timeout = settings.timeout
    if name in _CODE_CHECKS:
        to_source, to_target = _CODE_CHECKS[name]
        if source:
            to_source(source)
        for target in targets:
            to_target(target)
    if name == "echo":
        return EchoEngine()
    if name == "libretranslate":
        return LibreTranslateEngine(_require_url(settings, name), _libre_key(), timeout=timeout, retry=retry)
    if name == "deepl":
        return DeepLEngine(_require_key("deepl"), server_url=settings.url, timeout=timeout, retry=retry)
    return _deep_translator_backend(name, settings, timeout, retry)


def _key_variable(engine: str) -> str:
    return f"TRANSPUB_{engine.upper().replace('-', '_')}_API_KEY"


def _libre_key() -> str | None:
    return next((os.environ[v] for v in LIBRE_KEY_VARIABLES if os.environ.get(v)), None)


def _require_variable(variable: str, engine: str) -> str:
    value = os.environ.get(variable)
    if not value:
        raise EngineError(f"engine {engine!r} needs the environment variable {variable}")
    return value


def _require_key(engine: str) -> str:
    return _require_variable(_key_variable(engine), engine)


def _require_url(settings: TranslateSettings, engine: str) -> str:
    # [translate] engine = "libre" without a url was refused at load; this is --engine naming such an engine.
    if settings.url is None:
        raise ConfigError(f'engine {engine!r} needs url = "http(s)://…" in [translate] of transpub.toml')
    return settings.url.rstrip("/")
