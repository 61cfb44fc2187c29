"""The condition of ``domwork discover --where``: a small expression language over a sweep's runs.

A condition names columns of ``runs.csv`` (metrics such as ``unemployment_rate``, varied
keys by their dotted path, as ``market.separation_rate`` or in backticks), numbers, quoted
text (a scenario's name) and ``true``/``false``, joined by arithmetic (``+ - * /``),
comparisons (``< <= > >= == !=``, chained as ``0.02 < x < 0.04``), ``and``, ``or``, ``not``
and parentheses, and three functions:

- ``effect(metric)``: the run's metric minus the metric of the run at the same uncertainty
  point and replicate under the reference lever setting (the first value of every lever):
  the policy's paired effect, in the metric's own unit;
- ``change(metric)``: the same difference over the reference run's value (its absolute
  value), a relative change: ``change(employed) < -0.02`` is "2% fewer employed";
- ``abs(x)``.

It is parsed with Python's own parser into a tree, and only the node types above are
evaluated, each by a few lines of numpy here: no name, attribute or call outside this list
is ever looked up, so a condition cannot run code. (pandas' ``DataFrame.eval`` would call a
column's methods, ``x.to_csv(...)`` included.)
"""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from model.scenario.loading import ScenarioError

PAIRED = {"effect": "the run's value minus the reference run's",
          "change": "(the run's value minus the reference run's) / |the reference run's|"}
FUNCTIONS = (*PAIRED, "abs")
CONSTANTS = {"true": True, "True": True, "false": False, "False": False}
_COMPARE = {ast.Lt: np.less, ast.LtE: np.less_equal, ast.Gt: np.greater, ast.GtE: np.greater_equal,
            ast.Eq: np.equal, ast.NotEq: np.not_equal}
_ARITHMETIC = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide}
_BACKTICKED = re.compile(r"`([^`]*)`")
_LONE_EQUALS = re.compile(r"(?<![<>=!])=(?!=)")
MAX_LENGTH = 2000  # characters: a condition, not a program


@dataclass
class Condition:
    """A parsed condition: its text, its tree, and the columns and paired effects it reads."""

    text: str
    tree: ast.Expression
    names: dict[str, str] = field(default_factory=dict)  # placeholder -> the backticked column
    columns: set[str] = field(default_factory=set)
    paired: set[tuple[str, str]] = field(default_factory=set)  # (effect | change, metric)


@dataclass
class Outcome:
    """A condition evaluated on every run."""

    met: np.ndarray  # bool, one a run
    missing: np.ndarray  # bool: a value it needs is empty (or a division by 0): the run cannot say
    compared: list[tuple[str, np.ndarray]]  # each quantity compared, as written, with its value a run


def parse(text: str, columns: list[str], metrics: list[str], *, levers: bool, where: str) -> Condition:
    """Parse and check ``text`` against the columns of ``runs.csv``.

    Args:
        text: the condition.
        columns: the columns of ``runs.csv``.
        metrics: those of them that are metrics (what ``effect`` and ``change`` take).
        levers: whether the sweep has levers (``effect`` and ``change`` need them).
        where: what the messages start with (the folder and the option).

    Raises:
        ScenarioError: a syntax error, an unknown name, a construct that is not allowed.
    """
    if not text.strip():
        raise ScenarioError(f"{where}: the condition is empty; e.g. --where \"unemployment_rate > 0.05\"")
    if len(text) > MAX_LENGTH:
        raise ScenarioError(f"{where}: {len(text):,} characters is too long for a condition (at most {MAX_LENGTH:,})")
    names: dict[str, str] = {}

    def placeholder(match: re.Match[str]) -> str:
        name = f"_q{len(names)}"
        names[name] = match.group(1).strip()
        return name.ljust(len(match.group(0)))  # same length: error positions still point into the text as typed

    source = _BACKTICKED.sub(placeholder, text)
    if "`" in source:
        raise ScenarioError(f"{where}: a backtick ` is not closed (at character {source.index('`') + 1})")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as err:
        at = f" at character {err.offset + len(source) - len(source.lstrip())}" if err.offset else ""
        hint = "; write == to compare" if _LONE_EQUALS.search(source) else ""
        raise ScenarioError(f"{where}: not a valid condition ({err.msg}){at}{hint}") from None
    except (ValueError, RecursionError, MemoryError):
        raise ScenarioError(f"{where}: not a valid condition") from None
    condition = Condition(text, tree, names)
    _Checker(condition, columns, metrics, levers, where).visit(tree.body)
    if not condition.columns and not condition.paired:
        raise ScenarioError(f"{where}: the condition names no column of runs.csv, so it is the same for every run")
    return condition


class _Checker:
    """Walks the tree once before anything is evaluated: every node allowed, every name known."""

    def __init__(self, condition: Condition, columns: list[str], metrics: list[str], levers: bool, where: str):
        self.condition, self.columns, self.metrics = condition, columns, metrics
        self.levers, self.where = levers, where

    def fail(self, problem: str) -> None:
        raise ScenarioError(f"{self.where}: {problem}")

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.BoolOp | ast.Compare | ast.BinOp | ast.UnaryOp):
            self._operators(node)
        elif isinstance(node, ast.Call):
            self._call(node)
        elif isinstance(node, ast.Name | ast.Attribute):
            name = column_name(node, self.condition.names)
            if name in CONSTANTS and name not in self.columns:
                return
            self.condition.columns.add(self._known(name))
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, bool | int | float | str):
                return
            self.fail(f"{node.value!r} is not a number, text or true/false")
        else:
            self.fail(f"'{self._text(node)}' is not allowed in a condition: use columns of runs.csv, numbers, "
                      "'text', + - * /, comparisons, and, or, not, effect(), change() and abs()")

    def _operators(self, node: ast.AST) -> None:
        if isinstance(node, ast.BinOp) and type(node.op) not in _ARITHMETIC:
            if isinstance(node.op, ast.BitAnd | ast.BitOr):
                self.fail("write 'and' and 'or', not & and | (which bind tighter than < and >)")
            self.fail(f"'{self._text(node)}': only + - * / are allowed")
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Invert):
            self.fail("write 'not', not ~")
        if isinstance(node, ast.Compare) and any(type(op) not in _COMPARE for op in node.ops):
            self.fail(f"'{self._text(node)}': compare with < <= > >= == != only")
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, ast.operator | ast.unaryop | ast.cmpop | ast.boolop):
                self.visit(child)

    def _call(self, node: ast.Call) -> None:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS:
            close = difflib.get_close_matches(str(name), FUNCTIONS, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]}()?)" if close else ""
            self.fail(f"'{self._text(node.func)}()' is not a function here{hint}; the functions are effect(metric), "
                      "change(metric) and abs(x)")
        if len(node.args) != 1 or node.keywords:
            self.fail(f"{name}() takes one argument, e.g. {name}(employed)")
        if name == "abs":
            self.visit(node.args[0])
            return
        argument = node.args[0]
        if not isinstance(argument, ast.Name | ast.Attribute):
            self.fail(f"{name}() takes a metric's name, e.g. {name}(employed), not '{self._text(argument)}'")
        metric = self._known(column_name(argument, self.condition.names))
        if metric not in self.metrics:
            self.fail(f"{name}({metric}): {metric} is not a metric of the sweep (it is set, not measured)")
        if not self.levers:
            self.fail(f"{name}({metric}) compares each run with the reference lever setting, and this sweep has no "
                      "levers: use a sweep with levers and uncertainties, or a condition on runs.csv's columns")
        self.condition.paired.add((name, metric))

    def _known(self, name: str) -> str:
        if name in self.columns:
            return name
        close = difflib.get_close_matches(name, self.columns, n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        listed = ", ".join(self.metrics) if len(self.metrics) <= 12 else "see the first line of runs.csv"
        self.fail(f"'{name}' is not a column of runs.csv{hint}; its metrics: {listed}")
        return name  # pragma: no cover - fail raises

    def _text(self, node: ast.AST) -> str:
        return ast.unparse(node)


def column_name(node: ast.AST, names: dict[str, str]) -> str:
    """The column a name stands for: ``market.separation_rate`` from its attribute chain, or a backticked one."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        raise ScenarioError(f"'{ast.unparse(node)}' is not a column name")
    parts.append(names.get(node.id, node.id))
    return ".".join(reversed(parts))


def evaluate(condition: Condition, column: Callable[[str], np.ndarray],
             paired: Callable[[str, str], np.ndarray], runs: int, where: str) -> Outcome:
    """Evaluate a checked condition on every run.

    Args:
        condition: from :func:`parse`.
        column: a column of ``runs.csv`` as an array.
        paired: ``paired("effect" | "change", metric)``, one value a run.
        runs: how many runs there are.
        where: what the messages start with.

    Raises:
        ScenarioError: when it does not give true or false (a number, or text compared with a number).
    """
    evaluator = _Evaluator(condition, column, paired, where)
    value = evaluator.value(condition.tree.body)
    if np.asarray(value).dtype != bool:
        raise ScenarioError(f"{where}: the condition gives numbers, not true or false; compare it with something, "
                            "e.g. ... < 0")
    met = np.broadcast_to(np.asarray(value), (runs,)).copy()
    missing = np.broadcast_to(evaluator.missing, (runs,)).copy()
    return Outcome(met & ~missing, missing, evaluator.compared)


class _Evaluator:
    def __init__(self, condition: Condition, column, paired, where: str) -> None:
        self.condition, self.column, self.paired, self.where = condition, column, paired, where
        self.missing: np.ndarray | bool = False
        self.compared: list[tuple[str, np.ndarray]] = []

    def value(self, node: ast.AST):
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name | ast.Attribute):
            name = column_name(node, self.condition.names)
            if name not in self.condition.columns:
                return CONSTANTS[name]
            return self._number(self.column(name))
        if isinstance(node, ast.Call):
            if node.func.id == "abs":
                return self._number(np.abs(self._numeric(node.args[0])))
            return self._number(self.paired(node.func.id, column_name(node.args[0], self.condition.names)))
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Not):
                return np.logical_not(self._truth(node.operand))
            operand = self._numeric(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp):
            with np.errstate(divide="ignore", invalid="ignore"):
                return self._number(_ARITHMETIC[type(node.op)](self._numeric(node.left), self._numeric(node.right)))
        if isinstance(node, ast.BoolOp):
            combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
            result = self._truth(node.values[0])
            for operand in node.values[1:]:
                result = combine(result, self._truth(operand))
            return result
        return self._compare(node)

    def _compare(self, node: ast.Compare):
        result = True
        left = self.value(node.left)
        self._range(node.left, left)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = self.value(right_node)
            self._range(right_node, right)
            if _is_text(left) != _is_text(right):
                raise ScenarioError(f"{self.where}: '{ast.unparse(node)}' compares text with a number; quote a "
                                    "scenario's name, e.g. scenario == 'c189_package'")
            result = np.logical_and(result, np.asarray(_COMPARE[type(op)](left, right), dtype=bool))
            left = right
        return result

    def _range(self, node: ast.AST, value) -> None:
        array = np.asarray(value)
        if array.ndim and array.dtype.kind in "iuf":
            self.compared.append((ast.unparse(node), array))

    def _number(self, value):
        array = np.asarray(value)
        if array.dtype.kind == "f":
            self.missing = self.missing | ~np.isfinite(array)
        return value

    def _numeric(self, node: ast.AST):
        value = self.value(node)
        if _is_text(value):
            raise ScenarioError(f"{self.where}: '{ast.unparse(node)}' is text; only numbers take + - * / and abs()")
        return value

    def _truth(self, node: ast.AST):
        value = self.value(node)
        if np.asarray(value).dtype != bool:
            raise ScenarioError(f"{self.where}: '{ast.unparse(node)}' is not true or false; and, or and not join "
                                "comparisons")
        return value


def _is_text(value) -> bool:
    return np.asarray(value).dtype.kind in "OUS"
