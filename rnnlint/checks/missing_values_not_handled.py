"""missing-values-not-handled: data read from a file reaches `fit` and nothing in the script handles
missing values.

Generous on purpose (precision first): any NaN-handling call anywhere in the module, on any frame,
silences the rule, since which frame it cleans is not followed.
"""

from __future__ import annotations

import ast

from rnnlint.checks import RuleContext, rule
from rnnlint.facts.dataflow import Origin
from rnnlint.facts.records import FitFact
from rnnlint.facts.training import compile_of_fit, loss_of
from rnnlint.findings import Severity

# Readers that turn an empty cell into NaN by default. `np.loadtxt` refuses a missing value (it
# raises), and binary arrays (`np.load`) hold what was saved: neither is a source here.
FILE_READERS = frozenset({
    "pandas.read_csv", "pandas.read_table", "pandas.read_fwf", "pandas.read_excel", "pandas.read_parquet",
    "pandas.read_json", "pandas.read_feather", "pandas.read_sql", "pandas.read_sql_query",
    "pandas.read_sql_table", "numpy.genfromtxt",
})
# Keywords of those readers after which an empty cell is not NaN (`keep_default_na=False` keeps it as
# an empty string, `filling_values` fills it in).
NO_NAN_READ = {"keep_default_na": False, "na_filter": False}
FILLING_KEYWORDS = frozenset({"filling_values"})
# Any call named so (function, method or class) handles missing values somewhere in the script.
HANDLING_CALLS = frozenset({
    "dropna", "fillna", "interpolate", "isna", "isnull", "notna", "notnull", "ffill", "bfill", "pad",
    "backfill", "nan_to_num", "isnan", "isfinite", "is_nan", "is_finite", "SimpleImputer", "KNNImputer",
    "IterativeImputer", "MissingIndicator",
})
# Calls that put NaN into the data themselves (the rows a shift, a change or a rolling window runs past).
NAN_MAKING_METHODS = frozenset({"shift", "pct_change", "rolling"})


def _call_name(site) -> str | None:
    if site.method:
        return site.method
    return site.func_dotted.rsplit(".", 1)[-1] if site.func_dotted else None


def _keyword(call: ast.Call, name: str) -> ast.keyword | None:
    return next((arg for arg in call.keywords if arg.arg == name), None)


def _handles_missing_values(facts) -> bool:
    for site in facts.index.calls:
        name = _call_name(site)
        if name in HANDLING_CALLS:
            return True
        if name == "replace" and "nan" in facts.source_text(site.node).lower():
            return True  # `df.replace(np.nan, 0)`, `.replace({np.nan: 0})`
    return False


def _reads_missing_as_nan(ctx: RuleContext, read: ast.Call) -> bool:
    for keyword, value in NO_NAN_READ.items():
        arg = _keyword(read, keyword)
        if arg is not None:
            resolved = ctx.facts.resolver.value(arg.value, ctx.facts.site(read).scope, ctx.facts.site(read).order)
            if not resolved or resolved.value == value:
                return False  # reads no NaN, or we cannot tell: silent
    return not any(_keyword(read, keyword) for keyword in FILLING_KEYWORDS)


def _file_read(ctx: RuleContext, fit: FitFact, expr) -> Origin | None:
    if expr is None:
        return None
    for origin in ctx.flow.trace_origins(expr, fit.site.scope, fit.site.order, through_scaling=True):
        if origin.kind == "raw" and isinstance(origin.node, ast.Call) \
                and ctx.facts.qualname(origin.node) in FILE_READERS and _reads_missing_as_nan(ctx, origin.node):
            return origin
    return None


def _script_makes_nan(ctx: RuleContext, read: ast.Call) -> str | None:
    """Why missing values are more than a possibility here, for the message (None: no sign)."""
    if _keyword(read, "na_values") is not None:
        return "the read itself marks values as missing (na_values)"
    for site in ctx.facts.index.calls:
        if _call_name(site) in NAN_MAKING_METHODS:
            return f"{ctx.code(site.node)} leaves NaN at the edge of the data"
        coerce = _keyword(site.node, "errors")
        if _call_name(site) == "to_numeric" and coerce is not None and "coerce" in ctx.code(coerce.value):
            return f"{ctx.code(site.node)} turns unreadable cells into NaN"
    # `np.nan` written by the script is not evidence: the classic plotting idiom fills the arrays
    # for the prediction plot with it after training (`trainPredictPlot[:, :] = np.nan`)
    return None


def _regression(ctx: RuleContext, fit: FitFact) -> bool:
    """Targets are judged for a known regression loss only: class labels read from a file are
    usually derived from a text column (`apply`, `map`, an encoder), which the data flow does not
    follow into, and a missing label then fails loudly or becomes a class rather than a NaN loss."""
    compiled = compile_of_fit(ctx.facts, fit)
    loss = loss_of(ctx.facts, compiled) if compiled is not None else None
    return loss is not None and loss.name is not None and not any(word in loss.name for word in ("crossentropy", "hinge", "kl_divergence"))


@rule("missing-values-not-handled")
def check(ctx: RuleContext) -> None:
    fits = [fit for fit in ctx.facts.fits if fit.models]
    if not fits or _handles_missing_values(ctx.facts):
        return
    for fit in fits:
        judged = [("inputs", fit.x)] + ([("targets", fit.y)] if _regression(ctx, fit) else [])
        for role, expr in judged:
            origin = _file_read(ctx, fit, expr)
            if origin is None:
                continue
            assert isinstance(origin.node, ast.Call)  # _file_read keeps only calls
            shown = _script_makes_nan(ctx, origin.node)
            ctx.report(fit.call, {"data": ctx.code(expr), "role": role, "source": origin.description,
                                  "evidence": f"; {shown}" if shown else ""},
                       severity=Severity.WARNING if shown else None)
            break
