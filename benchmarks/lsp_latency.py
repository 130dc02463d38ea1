"""How long the language server takes to answer an edit with diagnostics, through a real client.

A 1,000-line training script (the repository's fixtures, concatenated) is opened in `rnnlint lsp`
over stdio; then, ~30 times, one `epochs=` value is edited (an incremental didChange, as editors send)
and the time until the publishDiagnostics for that version arrives is measured. The debounce the
server waits after a keystroke is part of what is measured (pass `--debounce-ms`).

    .venv/bin/python benchmarks/lsp_latency.py [--changes 30] [--lines 1000] [--debounce-ms 50]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

ROOT = Path(__file__).resolve().parent.parent


def training_script(lines: int) -> str:
    """Whole fixture files (so the result parses) until `lines`, padded with plain statements."""
    sources = sorted((ROOT / "fixtures" / "static").rglob("*.py")) + sorted((ROOT / "fixtures" / "seed").glob("*.py"))
    out: list[str] = []
    for path in sources:
        body = path.read_text(encoding="utf-8").splitlines()
        if len(out) + len(body) + 1 > lines:
            continue
        out += body + [""]
    out += [f"step_{i} = {i}" for i in range(lines - len(out))]
    return "\n".join(out) + "\n"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def measure(changes: int, lines: int, debounce_ms: int, command: list[str]) -> dict:
    text = training_script(lines)
    folder = Path(tempfile.mkdtemp(prefix="rnnlint-bench-"))
    path = folder / "train.py"
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    client = LanguageClient("rnnlint-benchmark", "1")
    arrived: dict[int, asyncio.Future] = {}
    counts: dict[int, int] = {}

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
        counts[params.version] = len(params.diagnostics)
        future = arrived.get(params.version)
        if future is not None and not future.done():
            future.set_result(time.perf_counter())

    await client.start_io(*command, "--debounce-ms", str(debounce_ms))
    await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities(),
                                                         root_uri=folder.as_uri()))
    client.initialized(types.InitializedParams())
    loop = asyncio.get_running_loop()
    arrived[1] = loop.create_future()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))
    await asyncio.wait_for(arrived[1], 60)

    target = next(i for i, line in enumerate(text.splitlines()) if re.search(r"epochs=\d+", line))
    match = re.search(r"epochs=(\d+)", text.splitlines()[target])
    column, current = match.start(1), match.group(1)  # ASCII line: code points = UTF-16 units
    latencies = []
    for change in range(changes):
        version, value = change + 2, str(100 + change)
        arrived[version] = loop.create_future()
        start = time.perf_counter()
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            [types.TextDocumentContentChangePartial(
                range=types.Range(types.Position(target, column), types.Position(target, column + len(current))),
                text=value)]))
        latencies.append((await asyncio.wait_for(arrived[version], 60) - start) * 1000)
        current = value
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return {"lines": len(text.splitlines()), "diagnostics": counts[changes + 1], "latencies": latencies}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--changes", type=int, default=30)
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--debounce-ms", type=int, default=50)
    parser.add_argument("--server", default=f"{sys.executable} -m rnnlint lsp",
                        help="command that starts the server (default: %(default)s)")
    args = parser.parse_args(argv)
    result = asyncio.run(measure(args.changes, args.lines, args.debounce_ms, args.server.split()))
    times = result["latencies"]
    print(f"{result['lines']}-line script, {result['diagnostics']} diagnostics, {len(times)} didChange "
          f"edits, debounce {args.debounce_ms} ms")
    print(f"didChange -> publishDiagnostics: median {statistics.median(times):.0f} ms, "
          f"p95 {percentile(times, 0.95):.0f} ms, min {min(times):.0f} ms, max {max(times):.0f} ms")
    engine = engine_alone(args.lines, 10)
    print(f"engine alone (lint_source in this process, 10 runs): median {statistics.median(engine):.0f} ms, "
          f"min {min(engine):.0f} ms")
    return 0


def engine_alone(lines: int, runs: int) -> list[float]:
    """The share of the latency that is linting itself (the rest: debounce, transport, conversion)."""
    from rnnlint.engine import lint_source
    text = training_script(lines)
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        lint_source("train.py", text)
        out.append((time.perf_counter() - start) * 1000)
    return out


if __name__ == "__main__":
    sys.exit(main())
