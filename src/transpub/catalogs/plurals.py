"""Plural-Forms headers: read ``nplurals=N; plural=EXPRESSION;`` and check it as ``msgfmt -c`` does.

gettext evaluates the expression for a count ``n`` to choose which ``msgstr[i]`` to show. The expression is
C: ``n``, whole numbers, ``!``, ``* / %``, ``+ -``, ``< > <= >=``, ``== !=``, ``&&``, ``||``, ``?:`` and
parentheses (no unary minus, no hexadecimal). ``msgfmt -c`` refuses a header whose expression does not
parse, divides by zero, or gives a negative value or one of ``nplurals`` or more for n = 0…1000.

transpub refuses the same, and also anything that is not exactly those two fields ('garbage', an empty
value, xgettext's placeholder ``nplurals=INTEGER; plural=EXPRESSION;``): msgfmt lets such a header pass
while the catalog has no plural entry, and the first plural entry a translator adds then breaks the
catalog. Which formula was meant cannot be told from garbage, so nothing is repaired.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from ..errors import CatalogError

# the counts msgfmt -c tries, and a few large ones (a formula wrong only there is still wrong at run time)
SAMPLE_COUNTS = (*range(0, 1001), 10_000, 100_000, 1_000_000, 10_000_000, 1_000_000_000)

_TOKEN = re.compile(r"\s*(?:([0-9]+)|(n)|(\|\||&&|==|!=|<=|>=|[-+*/%<>!?:()]))")
# binary operators by precedence, C's order (higher binds tighter)
_PRECEDENCE = {
    "||": 1, "&&": 2, "==": 3, "!=": 3, "<": 4, ">": 4, "<=": 4, ">=": 4, "+": 5, "-": 5, "*": 6, "/": 6, "%": 6,
}  # fmt: skip

Plural = Callable[[int], int]


def plural_count(value: str) -> int:
    """``nplurals`` of a Plural-Forms header value; CatalogError (without a location) if gettext cannot
    use it or it is not ``nplurals=N; plural=EXPRESSION;``."""
    count, problem = _checked(value)
    if problem is not None:
        raise CatalogError(problem)
    return count


@functools.lru_cache(maxsize=64)
def _checked(value: str) -> tuple[int, str | None]:
    """(nplurals, None), or (0, what is wrong); cached: every catalog of a language has the same header."""
    fields: dict[str, str] = {}
    shown = _shown(value)
    parts = [part.strip() for part in value.split(";")]
    if parts[-1] == "":
        parts.pop()  # the usual final ';'
    for part in parts:
        name, equals, text = part.partition("=")  # gettext looks for 'nplurals=' and 'plural=': no space before '='
        if not equals or name not in ("nplurals", "plural") or name in fields:
            return 0, f"Plural-Forms {shown} is not 'nplurals=N; plural=EXPRESSION;'"
        fields[name] = text.strip()
    if set(fields) != {"nplurals", "plural"}:
        return 0, f"Plural-Forms {shown} is not 'nplurals=N; plural=EXPRESSION;'"
    count, expression = fields["nplurals"], fields["plural"]
    shown = _shown(expression)
    if not (count.isascii() and count.isdigit()) or int(count) < 1:
        return 0, f"nplurals={_shown(count)} in Plural-Forms is not a whole number of 1 or more"
    try:
        plural = _parse(expression)
    except (_Invalid, RecursionError) as exc:
        detail = str(exc) if isinstance(exc, _Invalid) else "nested too deeply"
        return 0, f"the plural expression {shown} in Plural-Forms is not one gettext can read: {detail}"
    nplurals = int(count)
    for n in SAMPLE_COUNTS:
        try:
            index = plural(n)
        except ZeroDivisionError:
            return 0, f"the plural expression {shown} in Plural-Forms divides by zero when n = {n}"
        if not 0 <= index < nplurals:
            return 0, (
                f"the plural expression {shown} in Plural-Forms gives {index} when n = {n}, but with "
                f"nplurals={nplurals} a form number goes from 0 to {nplurals - 1}"
            )
    return nplurals, None


def _shown(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:60] + "…")


class _Invalid(Exception):
    """The expression does not parse."""


def _parse(expression: str) -> Plural:
    """The expression as a function of n, with C's integer semantics."""
    tokens = _tokens(expression)
    if not tokens:
        raise _Invalid("it is empty")
    parser = _Parser(tokens)
    plural = parser.expression()
    if parser.position != len(tokens):
        raise _Invalid(f"unexpected {parser.show()} after a complete expression")
    return plural


def _tokens(expression: str) -> list[str]:
    tokens, position, text = [], 0, expression.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise _Invalid(f"unexpected {text[position:].strip()[:12]!r}")
        tokens.append(match.group(match.lastindex))
        position = match.end()
    return tokens


class _Parser:
    """Recursive descent over the tokens; each rule returns a closure computing its value."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.position = 0

    def show(self) -> str:
        return repr(self.tokens[self.position]) if self.position < len(self.tokens) else "the end"

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, expected: str) -> None:
        if self.peek() != expected:
            raise _Invalid(f"expected {expected!r}, found {self.show()}")
        self.position += 1

    def expression(self) -> Plural:
        condition = self.binary(1)
        if self.peek() != "?":
            return condition
        self.position += 1
        then = self.expression()
        self.take(":")
        otherwise = self.expression()  # right-associative: a ? b : c ? d : e
        return lambda n: then(n) if condition(n) else otherwise(n)

    def binary(self, lowest: int) -> Plural:
        left = self.unary()
        while (operator := self.peek()) in _PRECEDENCE and _PRECEDENCE[operator] >= lowest:
            self.position += 1
            right = self.binary(_PRECEDENCE[operator] + 1)  # left-associative
            left = _combine(operator, left, right)
        return left

    def unary(self) -> Plural:
        if self.peek() == "!":
            self.position += 1
            operand = self.unary()
            return lambda n: int(not operand(n))
        return self.primary()

    def primary(self) -> Plural:
        token = self.peek()
        if token is None:
            raise _Invalid("it ends where a value was expected")
        self.position += 1
        if token == "n":
            return lambda n: n
        if token.isdigit():
            value = int(token)
            return lambda n: value
        if token == "(":
            inner = self.expression()
            self.take(")")
            return inner
        raise _Invalid(f"unexpected {token!r} where a value was expected")


def _divide(a: int, b: int) -> int:
    """C's integer division: truncated toward zero."""
    if b == 0:
        raise ZeroDivisionError
    quotient = abs(a) // abs(b)
    return quotient if (a >= 0) == (b >= 0) else -quotient


def _remainder(a: int, b: int) -> int:
    """C's ``%``: ``a - (a / b) * b``, with the sign of ``a``."""
    return a - _divide(a, b) * b


_ARITHMETIC: dict[str, Callable[[int, int], int]] = {
    "==": lambda a, b: int(a == b), "!=": lambda a, b: int(a != b),
    "<": lambda a, b: int(a < b), ">": lambda a, b: int(a > b),
    "<=": lambda a, b: int(a <= b), ">=": lambda a, b: int(a >= b),
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "/": _divide, "%": _remainder,
}  # fmt: skip


def _combine(operator: str, left: Plural, right: Plural) -> Plural:
    if operator == "||":  # both short-circuit, as in C
        return lambda n: int(bool(left(n)) or bool(right(n)))
    if operator == "&&":
        return lambda n: int(bool(left(n)) and bool(right(n)))
    compute = _ARITHMETIC[operator]
    return lambda n: compute(left(n), right(n))
