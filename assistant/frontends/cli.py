"""Command-line front end: parses arguments, calls the ``Assistant`` facade, prints the result."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import click

from assistant.core.errors import AssistantError
from assistant.core.types import reference_line

if TYPE_CHECKING:
    from assistant.app import Assistant
    from assistant.core.settings import Settings
    from assistant.core.types import Answer, SearchFilters, SyncReport
    from assistant.core.validity import Timeline

T = TypeVar("T")

# Terminal escape sequences and control characters from documents never reach the terminal
# ("\x1b]0;PWNED\x07" would retitle it); line breaks and tabs stay.
_CONTROL = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|.)|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
)


def printable(text: str) -> str:
    """``text`` without escape sequences or control characters (see ``_CONTROL``)."""
    return _CONTROL.sub("", text)


def echo(message: object = "", err: bool = False) -> None:
    """``click.echo`` of ``message`` made printable."""
    click.echo(printable(str(message)), err=err)


F = TypeVar("F", bound=Callable[..., Any])


def _settings(index: str | None) -> Settings:
    from pydantic import ValidationError

    from assistant.core.settings import ChromaSettings, Settings

    try:
        settings = Settings()
        url = click.get_current_context().find_root().params.get("chroma_url")
        if url:
            chroma = ChromaSettings(url=url, token=settings.chroma.token)
            settings = settings.model_copy(update={"chroma": chroma})
    except ValidationError as exc:
        raise click.ClickException(f"invalid setting: {exc}") from exc
    if index:
        settings = settings.model_copy(update={"index_dir": Path(index)})
    return settings


def _assistant(index: str | None) -> Assistant:
    from assistant.app import Assistant

    return Assistant(_settings(index))


class _Bars:
    """One tqdm bar per sync stage, on stderr."""

    LABELS: ClassVar[dict[str, str]] = {
        "scan": "hashing files",
        "read": "reading documents",
        "ocr": "OCR, pages of the document",
        "embed": "embedding chunks",
        "write": "writing to Chroma",
        "lexical": "updating BM25",
    }

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bars: dict[str, Any] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage.startswith("wait: "):  # another instance's sync holds the collection
            click.echo(stage.removeprefix("wait: "), err=True)
            return
        if not self.enabled:
            return
        from tqdm import tqdm

        bar = self.bars.get(stage)
        if bar is None:
            bar = tqdm(total=total, desc=self.LABELS.get(stage, stage), unit="", file=sys.stderr,
                       leave=False, dynamic_ncols=True)  # fmt: skip
            self.bars[stage] = bar
        if total != bar.total:
            bar.total = total
        bar.n = done
        bar.refresh()

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


def _run(fn: Callable[[], T]) -> T:
    try:
        return fn()
    except AssistantError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="policy-assistant")
@click.option(
    "--chroma-url",
    default=None,
    metavar="http://HOST:PORT",
    help="Use this Chroma server, not the embedded database (token: ASSISTANT_CHROMA__TOKEN).",
)
def cli(chroma_url: str | None) -> None:
    """Cited answers from government policy documents (Chinese first)."""


@cli.command()
@click.argument("corpus_dirs", nargs=-1, type=click.Path(file_okay=False))
@click.option("--index", "index", type=click.Path(file_okay=False), help="Index folder.")
@click.option("--strict", is_flag=True, help="Exit 1 when any file failed.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--progress/--no-progress", default=None, help="Progress bars (default: on a TTY).")
def index(
    corpus_dirs: tuple[str, ...], index: str | None, strict: bool, as_json: bool,
    progress: bool | None,
) -> None:  # fmt: skip
    """Sync the index with CORPUS_DIRS: add new, update changed, remove deleted documents."""
    assistant = _assistant(index)
    bars = _Bars(sys.stderr.isatty() if progress is None else progress)
    try:
        report = _run(lambda: assistant.index(list(corpus_dirs) or None, progress=bars))
    finally:
        bars.close()
    if as_json:
        echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
    else:
        _print_report(report, assistant.settings.index_dir, corpus_dirs)
    if strict and report.failed:
        sys.exit(1)


def _print_report(report: SyncReport, index_dir: Path, dirs: tuple[str, ...]) -> None:
    where = ", ".join(dirs) if dirs else "the configured corpus"
    echo(f"Synced {where} into {index_dir} in {report.seconds:.1f} s")
    if report.rebuilt:
        echo(f"  settings changed, index rebuilt: {report.rebuild_reason}")
    echo(
        f"  added {len(report.added)}, updated {len(report.updated)}, "
        f"removed {len(report.removed)}, renamed {len(report.renamed)}, "
        f"unchanged {len(report.unchanged)}, failed {len(report.failed)}, "
        f"skipped {len(report.skipped)}"
    )
    echo(
        f"  chunks: {report.chunks_total} in the index; {report.chunks_written} written "
        f"({report.chunks_embedded} embedded, {report.chunks_from_cache} from cache)"
        + (f", {report.chunks_kept} kept (metadata only)" if report.chunks_kept else "")
        + f", {report.chunks_deleted} deleted"
        + (f"; repaired {report.repaired} left by an interrupted sync" if report.repaired else "")
    )
    if report.waited_s:
        echo(f"  waited {report.waited_s:.1f} s for another instance's sync of the collection")
    ranked = sorted(((s, p) for p, s in report.phases.items()), reverse=True)
    parts = ranked[:1] + [x for x in ranked[1:] if x[0] >= 0.05]  # the largest, and any ≥ 0.05 s
    if parts:
        merged = (
            f" ({report.segments_merged} BM25 segments merged)" if report.segments_merged else ""
        )
        echo("  time: " + ", ".join(f"{p} {s:.1f} s" for s, p in parts) + merged)
    for note in report.notes:
        echo(f"  note: {note}")
    for old, new in report.renamed:
        echo(f"  renamed: {old} -> {new}")
    if report.failed:
        echo("  failed (not indexed; a previous version, if any, is kept):")
        for f in report.failed:
            echo(f"    {f.source}: {f.reason}")
    if report.skipped:
        echo("  skipped:")
        for f in report.skipped:
            echo(f"    {f.source}: {f.reason}")


@cli.command()
@click.option("--index", "index", type=click.Path(file_okay=False), help="Index folder.")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@click.option("--document", "document", default="", metavar="SOURCE",
              help="Show one document's validity timeline instead (effective, expiry, repealed, "
              "amended, with the related documents).")  # fmt: skip
@click.option(
    "--as-of",
    "as_of",
    default="",
    metavar="YYYY-MM-DD",
    help="With --document: whether it is in force on this day (default today).",
)
def status(index: str | None, as_json: bool, document: str, as_of: str) -> None:
    """Documents, chunks, model, last sync and files changed since."""
    if document:
        _print_timeline(_run(lambda: _assistant(index).timeline(document, as_of)), as_json)
        return
    st = _run(lambda: _assistant(index).status())
    if as_json:
        echo(json.dumps(st.as_dict(), ensure_ascii=False, indent=1))
        return
    if not st.exists:
        echo(f"No index in {st.index_dir}: run 'policy-assistant index CORPUS_DIR'.")
        return
    echo(f"Index:      {st.index_dir} (collection {st.collection})")
    echo(f"Documents:  {st.documents}")
    echo(f"Chunks:     {st.chunks}")
    echo(f"Model:      {st.model}")
    echo(f"Corpus:     {', '.join(st.corpus_roots)}")
    echo(f"Last sync:  {st.last_sync}")
    for problem in st.problems:
        echo(f"Problem:    {problem}")
    failed = st.last_report.get("failed") or []
    if failed:
        echo(f"Failed at last sync: {len(failed)}")
        for source, reason in failed:
            echo(f"  {source}: {reason}")
    if st.settings_changed:
        echo(f"Settings changed since the index was built ({st.settings_changed}); "
                   "the next 'index' rebuilds it.")  # fmt: skip
    if st.changed_since:
        echo(f"Changed since last sync: {len(st.changed_since)}")
        for source, what in st.changed_since:
            echo(f"  {what:10} {source}")
    else:
        echo("Changed since last sync: none")


def _print_timeline(t: Timeline, as_json: bool) -> None:
    if as_json:
        echo(json.dumps(t.as_dict(), ensure_ascii=False, indent=1))
        return
    echo(f"{t.title}" + (f" · {t.doc_number}" if t.doc_number else "") + f"  ({t.source})")
    echo("In force:   " + ("yes" if t.in_force else f"NO — {t.warning}"))
    if t.interpreted_by:
        echo(f"解释:       {t.interpreted_by}")
    for e in t.events:
        other = f"  → {e.other}" if e.other else ""
        echo(f"  {e.date or '(no date)':10}  {e.text}{other}")
        if e.evidence and e.evidence_source != t.source:
            echo(f"              {e.evidence_source}: “{e.evidence[:120]}”")
        elif e.evidence:
            echo(f"              “{e.evidence[:120]}”")


def _filters(
    issuer: str, doc_type: str, date_from: str, date_to: str, source: str, as_of: str = "",
    in_force: bool = False,
) -> SearchFilters:  # fmt: skip
    from assistant.core.types import SearchFilters

    return SearchFilters(issuer, doc_type, date_from, date_to, source, as_of, in_force)


def filter_options(fn: F) -> F:
    for opt in reversed(
        [
            click.option("--issuer", default="", help="Only documents of this issuer (发文机关)."),
            click.option("--type", "doc_type", default="", help="Only this type (通知, 报告 …)."),
            click.option("--from", "date_from", default="", help="Earliest date: 2023 or 2023-03."),
            click.option("--to", "date_to", default="", help="Latest date: 2025 or 2025-12-31."),
            click.option("--source", default="", help="Glob over source paths: 'gwr-202*'."),
            click.option(
                "--in-force",
                "in_force",
                is_flag=True,
                help="Only documents in force today (not repealed, replaced or expired).",
            ),
            click.option(
                "--as-of",
                "as_of",
                default="",
                metavar="YYYY-MM-DD",
                help="Only documents in force on this day: --as-of 2026-06-01.",
            ),
        ]
    ):
        fn = opt(fn)
    return fn


def _print_answer(answer: Answer) -> None:
    if answer.standalone_question and answer.standalone_question != answer.question:
        echo(f"(understood as: {answer.standalone_question})")
    if answer.short is not None:
        echo(f"→ {answer.short.text}")
    echo(answer.text)
    for sentence in answer.unsupported_sentences:
        echo(f"  ! no valid citation: {sentence}")
    for note in answer.notes:
        echo(f"  note: {note}")
    if answer.citations:
        echo("")
    for c in answer.citations:
        echo(f"[{c.marker}] {reference_line(c)}")
        if c.validity_note:
            echo(f"    {'⚠ ' if not c.in_force else ''}{c.validity_note}")
        echo(f"    {c.source}: “{c.quote}”")
    if answer.abstained and answer.hits:
        for h in answer.hits[:3]:
            echo(f"  - {h.title} · {h.section} ({h.source})")
            echo(f"    {h.text[:160]}…" if len(h.text) > 160 else f"    {h.text}")


@cli.command()
@click.argument("question")
@click.option("--index", "index", type=click.Path(file_okay=False), help="Index folder.")
@click.option("-k", "k", type=int, default=None, help="Number of passages.")
@filter_options
@click.option("--json", "as_json", is_flag=True, help="Print the hits as JSON.")
def search(question: str, index: str | None, k: int | None, as_json: bool, **f: Any) -> None:
    """The passages that best match QUESTION (dense + BM25)."""
    hits = _run(lambda: _assistant(index).search(question, k, _filters(**f)))
    if as_json:
        echo(json.dumps([h.as_dict() for h in hits], ensure_ascii=False, indent=1))
        return
    for h in hits:
        echo(f"{h.rank}. [{h.score:.3f}] {h.title} · {h.section} ({h.source})")
        if h.validity_note:
            echo(f"   {'⚠ ' if not h.in_force else ''}{h.validity_note}")
        echo(f"   {h.text[:200]}")


@cli.command()
@click.argument("question")
@click.option("--index", "index", type=click.Path(file_okay=False), help="Index folder.")
@click.option("-k", "k", type=int, default=None, help="Number of passages retrieved.")
@filter_options
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@click.option(
    "--docx", "docx_path", type=click.Path(dir_okay=False),
    help="Also write the answer as a Word brief (one footnote per citation) to this file.",
)  # fmt: skip
def ask(
    question: str, index: str | None, k: int | None, as_json: bool, docx_path: str | None,
    **f: Any,
) -> None:  # fmt: skip
    """Answer QUESTION with cited sentences, or say it is not in the documents."""
    answer = _run(lambda: _assistant(index).ask(question, k, _filters(**f)))
    if docx_path:
        from assistant.frontends.brief import brief_docx

        try:
            Path(docx_path).write_bytes(brief_docx([answer]))
        except OSError as exc:
            raise click.ClickException(f"cannot write {docx_path} ({exc.strerror})") from exc
        click.echo(f"wrote {docx_path} ({len(answer.citations)} footnotes)", err=True)
    if as_json:
        echo(json.dumps(answer.as_dict(), ensure_ascii=False, indent=1))
    else:
        _print_answer(answer)


@cli.command(name="eval")
@click.argument("questions", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--index", "index", type=click.Path(file_okay=False), help="Index folder.")
@click.option("--out", type=click.Path(dir_okay=False), help="Write one JSON line per question.")
@click.option("--summary", type=click.Path(dir_okay=False), help="Write the metrics as JSON.")
@click.option("--k", "k", type=int, default=5, show_default=True, help="Chunks kept per question.")
@click.option(
    "--set", "sets", multiple=True, metavar="DIR[+DISTRACTOR_DIR...]",
    help="A development set folder (corpus.jsonl + dev.jsonl/questions.jsonl), indexed under "
    "--work and measured; '+DIR' adds another set's documents as distractors. Repeatable. "
    "With --set, QUESTIONS (the golden set, over --index) is one more row of the table.",
)  # fmt: skip
@click.option(
    "--work", type=click.Path(file_okay=False), default="indexes/dev-sets", show_default=True,
    help="Where each set's documents and index are kept between runs.",
)  # fmt: skip
@click.option(
    "--withhold", type=click.FloatRange(0.0, 0.9), default=0.15, show_default=True,
    help="Share of each set's gold documents left out of the index for the refusal measures.",
)  # fmt: skip
@click.option(
    "--out-dir", type=click.Path(file_okay=False),
    help="With --set: write the table (table.md), the measures (summary.json) and each set's "
    "per-question records (SET.jsonl) here.",
)  # fmt: skip
def eval_cmd(
    questions: str | None, index: str | None, out: str | None, summary: str | None, k: int,
    sets: tuple[str, ...], work: str, withhold: float, out_dir: str | None,
) -> None:  # fmt: skip
    """Run QUESTIONS (JSONL) and print retrieval, answer and refusal metrics; with --set, build
    and measure development sets and print one table."""
    if sets:
        _eval_sets(questions, index, k, sets, work, withhold, out_dir)
        return
    if not questions:
        raise click.UsageError("name a QUESTIONS file, or development sets with --set DIR")
    assistant = _assistant(index)
    records, metrics = _run(lambda: assistant.evaluate(questions, k))
    if out:
        Path(out).write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
        )
    if summary:
        Path(summary).write_text(json.dumps(metrics, indent=1), encoding="utf-8")
    width = max(len(key) for key in metrics)
    for key, value in metrics.items():
        echo(f"{key:<{width}}  {value}")


def _eval_sets(
    questions: str | None, index: str | None, k: int, sets: tuple[str, ...], work: str,
    withhold: float, out_dir: str | None,
) -> None:  # fmt: skip
    from assistant.evaluation.multiset import table

    parsed = []
    for spec in sets:
        folder, *distractors = spec.split("+")
        parsed.append((Path(folder), [Path(d) for d in distractors]))
    assistant = _assistant(index)
    say = lambda m: echo(m, err=True)  # noqa: E731
    results = _run(
        lambda: assistant.evaluate_sets(
            parsed, Path(work), golden=Path(questions) if questions else None,
            withhold=withhold, k=k, say=say,
        )
    )  # fmt: skip
    text = table(results)
    echo(text)
    if out_dir:
        dest = Path(out_dir)
        dest.mkdir(parents=True, exist_ok=True)
        (dest / "table.md").write_text(text + "\n", encoding="utf-8")
        rows = {r.name: {"documents": r.documents, "chunks": r.chunks, "withheld": r.withheld,
                         "index_seconds": round(r.index_seconds, 1), **r.measures,
                         "withheld_run": r.refusals} for r in results}  # fmt: skip
        (dest / "summary.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
        for r in results:
            name = r.name.split(" ")[0]
            (dest / f"{name}.jsonl").write_text(
                "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in r.records), "utf-8"
            )
        echo(f"wrote {dest}/table.md, summary.json and one records file per set", err=True)


@cli.command()
@click.option("--index", "index", type=click.Path(file_okay=False), help="Index folder.")
def chat(index: str | None) -> None:
    """Ask questions in the terminal, one after another (empty line or Ctrl-D ends)."""
    assistant = _assistant(index)
    echo("policy-assistant chat: ask about the indexed documents (empty line to quit).")
    history: list[tuple[str, str]] = []
    while True:
        try:
            question = input("? ").strip()
        except (EOFError, KeyboardInterrupt):
            echo("")
            return
        if not question:
            return
        try:
            answer = assistant.ask(question, history=history)
        except AssistantError as exc:
            echo(f"Error: {exc}")
            continue
        _print_answer(answer)
        history.append((answer.standalone_question or question, answer.text))
        echo("")


@cli.command()
@click.option("--index", "index", type=click.Path(file_okay=False), help="Index folder.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=7860, show_default=True, type=int, help="Port.")
@click.option(
    "--auth", default=None, metavar="USER:PASS",
    help="Require this login (visible to other users in 'ps': prefer --auth-file or "
    "ASSISTANT_SERVER__AUTH).",
)  # fmt: skip
@click.option(
    "--auth-file", type=click.Path(dir_okay=False), default=None,
    help="A file holding USER:PASS for the login.",
)  # fmt: skip
def serve(index: str | None, host: str, port: int, auth: str | None, auth_file: str | None) -> None:
    """Open the web chat (and, with a login or on localhost, the admin tab)."""
    from pydantic import SecretStr

    settings = _settings(index)
    if auth_file:
        try:
            auth = Path(auth_file).read_text("utf-8").strip()
        except OSError as exc:
            raise click.ClickException(
                f"cannot read --auth-file {auth_file} ({exc.strerror})"
            ) from exc
    if auth:
        server = settings.server.model_copy(update={"auth": SecretStr(auth)})
        settings = settings.model_copy(update={"server": server})
    try:
        credentials = settings.server.credentials()
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    from assistant.app import Assistant
    from assistant.frontends.ui import serve as serve_ui

    assistant = Assistant(settings)
    _run(assistant.retriever)  # fail now, with a clear message, if there is no index
    _check_port(host, port)
    shown = f"[{host}]" if ":" in host else host
    echo(
        f"Serving on http://{shown}:{port} — web UI at /, OpenAI-compatible API at /v1, REST at "
        "/api/v1, docs at /docs (Ctrl-C stops)"
    )
    from assistant.frontends.api.access import is_loopback

    if not is_loopback(host):
        try:
            roles = set(settings.server.keys().values())
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        if not roles:
            echo("API: no keys set (ASSISTANT_SERVER__API_KEYS), so no API route answers here")
        elif "admin" not in roles:
            echo("API: no admin key, so upload, delete and sync are not served on this address")
    _run(lambda: serve_ui(assistant, host, port, credentials))


def _check_port(host: str, port: int) -> None:
    """A clear error when the address cannot be served (a port in use, an unknown host)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise click.ClickException(f"cannot serve on host {host!r} ({exc.strerror})") from exc
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        try:
            probe.bind(address)
        except OSError as exc:
            raise click.ClickException(
                f"cannot listen on {host}:{port} ({exc.strerror}); is another server using it? "
                "Choose another port with --port"
            ) from exc


def main() -> None:
    cli(prog_name="policy-assistant")


if __name__ == "__main__":
    main()
