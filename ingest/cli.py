"""`zonewatch`: a thin command line over ingest.pipeline and ingest.evaluate.

Exit codes of `run`: 0 published, 3 the quality gate blocked publication, 2 bad
arguments or configuration, 1 anything else. `exclude` / `include`: 0 done, 2 bad
arguments or a page the landing zone does not hold (or, for `include`, that is not
excluded), 1 another run holds the workdir or anything else. `report`: 0 written, 2 no
warehouse there or one that lacks a mart, 1 anything else. `docs`: 0 written (or served
until interrupted), 2 no warehouse there, 1 anything else. `sources check`: 0 every
source found article links, 1 some found none or failed (the last line names them), 2 a
bad sources file.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import logging
import os
import shlex
import sys
import tempfile
import time
from pathlib import Path
from typing import NoReturn

from ingest.config import ConfigError, Paths, RunConfig

__all__ = ["main"]

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_BLOCKED = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2
        self.exit(EXIT_USAGE, f"zonewatch: error: {message}\n")


def _progress(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _quiet_libraries() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("great_expectations").setLevel(logging.WARNING)


# One default for every subcommand, the DAG and `make demo` (ingest.config).
WORKDIR_HELP = ("raw pages, landing zone, build copy, reports "
                "(default: $ZONEWATCH_WORKDIR, else data/ in the project)")
WAREHOUSE_HELP = ("published DuckDB file "
                  "(default: $ZONEWATCH_WAREHOUSE, else warehouse.duckdb in the workdir)")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="zonewatch", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = sub.add_parser("run", help="one full run: land, parse, extract, dbt build, gate, publish")
    src = run.add_mutually_exclusive_group(required=True)
    src.add_argument("--sources", metavar="FILE", help="YAML file of sources to fetch")
    src.add_argument("--input", metavar="DIR", help="directory of saved pages")
    run.add_argument("--warehouse", metavar="PATH", default=None, help=WAREHOUSE_HELP)
    run.add_argument("--workdir", metavar="DIR", default=None, help=WORKDIR_HELP)
    run.add_argument("--run-id", default=None, help=argparse.SUPPRESS)
    ev = sub.add_parser("eval", help="score extraction against a gold file")
    ev.add_argument("--gold", metavar="FILE", required=True)
    ev.add_argument("--input", metavar="DIR", required=True)
    ev.add_argument("--workdir", metavar="DIR", default=None,
                    help="scratch directory (default: a temporary one)")
    ev.add_argument("--min-f1", type=float, default=None,
                    help="exit 1 when the overall F1 is below this")
    ev.add_argument("--manifest", metavar="FILE", default=None,
                    help="corpus manifest (file, kind per line): adds F1 per page kind")
    ev.add_argument("--totals-only", action="store_true",
                    help="figures only, no misses or false positives (a blind test part)")
    sm = sub.add_parser("summary", help="what the last run read and published")
    sm.add_argument("--workdir", metavar="DIR", default=None, help=WORKDIR_HELP)
    sm.add_argument("--warehouse", metavar="PATH", default=None, help=WAREHOUSE_HELP)
    sm.add_argument("--logs", metavar="DIR", default=None, help=argparse.SUPPRESS)
    rp = sub.add_parser("report", help="one self-contained HTML report of the published "
                                       "warehouse (opens with no network)")
    rp.add_argument("--warehouse", metavar="PATH", default=None, help=WAREHOUSE_HELP)
    rp.add_argument("--out", metavar="FILE", default=None,
                    help="where the HTML goes (default: report.html beside the warehouse)")
    dc = sub.add_parser("docs", help="dbt docs (lineage, column descriptions) of the published "
                                     "warehouse, in <workdir>/docs; --serve serves them")
    dc.add_argument("--workdir", metavar="DIR", default=None, help=WORKDIR_HELP)
    dc.add_argument("--warehouse", metavar="PATH", default=None, help=WAREHOUSE_HELP)
    dc.add_argument("--serve", action="store_true",
                    help="then serve the site on 127.0.0.1 until interrupted")
    dc.add_argument("--port", type=int, default=8580,
                    help="port for --serve (default 8580; 0: a free one)")
    sv = sub.add_parser("serve-postgres",
                        help="build the marts on PostgreSQL and switch them in for BI tools")
    sv.add_argument("--dsn", metavar="DSN", required=True,
                    help="e.g. postgresql://postgres@127.0.0.1:5432/zonewatch")
    sv.add_argument("--workdir", metavar="DIR", default=None, help=WORKDIR_HELP)
    sv.add_argument("--reader", metavar="ROLE", action="append", default=[],
                    help="a BI role to grant USAGE/SELECT on the served schema (repeatable)")
    fl = sub.add_parser("failures", help="recent quality-gate runs that blocked or warned")
    fl.add_argument("--workdir", metavar="DIR", default=None, help=WORKDIR_HELP)
    fl.add_argument("--run", metavar="ID", default=None,
                    help="show one run in full: its run id, or the Airflow run id "
                         "(manual__…, scheduled__…) of the DAG run")
    fl.add_argument("--all", action="store_true", help="include runs that passed")
    ex = sub.add_parser("exclude", help="set a page aside: the next run leaves its facts out")
    ex.add_argument("target", metavar="URL|DOCUMENT_ID",
                    help="a document id, or a URL (every document of its canonical URL)")
    ex.add_argument("--reason", metavar="TEXT", required=True, help="why (kept in the ledger)")
    inc = sub.add_parser("include", help="undo `zonewatch exclude`: the next run publishes "
                                         "the page's facts again")
    inc.add_argument("target", metavar="URL|DOCUMENT_ID",
                     help="an excluded document's id, or its URL")
    for ledger in (ex, inc):
        ledger.add_argument("--workdir", metavar="DIR", default=None, help=WORKDIR_HELP)
        ledger.add_argument("--by", metavar="NAME", default=None,
                            help="who, for the ledger (default: $USER)")
    so = sub.add_parser("sources", help="work with a sources file")
    so_sub = so.add_subparsers(dest="sources_command", required=True, parser_class=_Parser)
    ck = so_sub.add_parser("check", help="fetch each source's entry page(s) as a run would "
                                         "(robots.txt, rate limit, address checks) and show "
                                         "what its selectors find; writes nothing")
    ck.add_argument("file", metavar="FILE", help="YAML file of sources")
    return p


def _who(by: str | None) -> str:
    if by is not None:
        return by
    try:
        return os.environ.get("USER") or getpass.getuser()
    except (OSError, KeyError, ImportError):  # no login name, no passwd entry (containers)
        return "unknown"


def _ledger(args: argparse.Namespace) -> int:
    """`exclude` and `include`: one change to the landing zone's exclusion ledger."""
    from ingest.landing.store import LandingStore
    from ingest.runlock import WorkdirBusy, workdir_lock

    paths = Paths.create(args.workdir)
    if not paths.landing_db.is_file():
        raise ConfigError(f"no landing zone at {paths.landing_db}; run `zonewatch run` first")
    by = _who(args.by)
    where = ("" if paths.workdir == Paths.create().workdir
             else f" --workdir {shlex.quote(str(args.workdir))}")
    try:
        with workdir_lock(paths.workdir, f"zonewatch {args.command}"), \
                LandingStore(paths) as store:
            if args.command == "exclude":
                res = store.exclude(args.target, reason=args.reason, by=by)
                lines = [f"excluded {e.document_id} {e.url}: {e.reason} (by {e.excluded_by}); "
                         f"the next run leaves its facts out (undo: zonewatch include "
                         f"{e.document_id}{where})" for e in res.new]
                lines += [f"already excluded {e.document_id} {e.url}: {e.reason} (by "
                          f"{e.excluded_by}, {e.excluded_at:%Y-%m-%d %H:%M} UTC); left as it "
                          "was" for e in res.already]
            else:
                lines = [f"included {e.document_id} {e.url} again (excluded by {e.excluded_by}, "
                         f"{e.excluded_at:%Y-%m-%d %H:%M} UTC: {e.reason}); the next run "
                         "publishes its facts" for e in store.include(args.target, by=by)]
    except WorkdirBusy as exc:
        print(f"zonewatch: {exc}", file=sys.stderr)
        return EXIT_ERROR
    print("\n".join(lines))
    return EXIT_OK


def _failures(args: argparse.Namespace) -> int:
    from ingest.ops.failures import list_failures, show_run, unknown_run

    paths = Paths.create(args.workdir)
    if args.run:
        text = show_run(paths, args.run)
        if text is None:
            raise ConfigError(unknown_run(paths, args.run))
        print(text)
    else:
        print(list_failures(paths, include_passed=args.all))
    return EXIT_OK


def _serve_postgres(args: argparse.Namespace) -> int:
    from ingest.landing.store import LandingStore
    from ingest.serve.postgres import (
        PostgresUnreachable,
        build_postgres,
        check_target,
        publish_postgres,
    )

    paths = Paths.create(args.workdir)
    if not paths.landing_db.is_file():
        raise ConfigError(f"no landing zone at {paths.landing_db}; run `zonewatch run` first")
    with LandingStore(paths, read_only=True) as store:
        last = store.validation_runs(limit=1)
    if not last or not last[0]["passed"]:
        raise ConfigError("the last quality-gate run did not pass (zonewatch failures); "
                          "nothing served")
    try:  # a second, before a build of half a minute: the server and every --reader role
        check_target(args.dsn, args.reader)
    except PostgresUnreachable as exc:
        print(f"zonewatch: error: {exc}; nothing built", file=sys.stderr)
        return EXIT_ERROR
    res = build_postgres(paths.landing_db, args.dsn)
    if not res.success:
        print(f"zonewatch: dbt build --target postgres failed: "
              f"{'; '.join([*res.errored_nodes, *res.failed_tests])}", file=sys.stderr)
        return EXIT_BLOCKED if res.only_tests_failed else EXIT_ERROR
    publish_postgres(args.dsn, readers=args.reader)
    print(f"served: schema zonewatch in {args.dsn} ({res.nodes_run} dbt nodes)")
    return EXIT_OK


def _summary(args: argparse.Namespace) -> int:
    from ingest.ops.summary import summarise

    print(summarise(Paths.create(args.workdir, args.warehouse),
                    Path(args.logs) if args.logs else None))
    return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    from ingest.serve.report import write_report

    warehouse = Paths.create(warehouse=args.warehouse).warehouse
    out = Path(args.out).expanduser().resolve() if args.out else warehouse.with_name(
        "report.html")
    rep = write_report(warehouse, out)
    print(f"report: {rep.path} ({rep.charts} charts, {rep.bytes} bytes, opens offline)")
    return EXIT_OK


def _docs(args: argparse.Namespace) -> int:
    from ingest.serve.docs import docs_server, generate_docs, url_of

    site = generate_docs(Paths.create(args.workdir, args.warehouse))
    print(f"docs: {site.directory} (static_index.html opens from disk)")
    if not args.serve:
        return EXIT_OK
    with docs_server(site, args.port) as server:
        print(f"docs: serving {url_of(server)} (lineage: the 'View Lineage Graph' "
              "button, bottom right); Ctrl-C stops", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
    return EXIT_OK


def _sources(args: argparse.Namespace) -> int:
    """`sources check FILE`: one block per source, then a summary line."""
    from ingest.fetch.check import check_source, format_check, format_summary
    from ingest.fetch.sources import load_sources

    checks = []
    for source in load_sources(args.file):  # ConfigError -> exit 2
        checks.append(check_source(source))
        print(format_check(checks[-1]), end="\n\n", flush=True)
    print(format_summary(checks))
    return EXIT_OK if all(c.ok for c in checks) else EXIT_ERROR


def _run(args: argparse.Namespace) -> int:
    from ingest import pipeline
    from ingest.runlock import WorkdirBusy, workdir_lock

    cfg = RunConfig.create(workdir=args.workdir, warehouse=args.warehouse,
                           sources_file=args.sources, input_dir=args.input, run_id=args.run_id)
    t0 = time.monotonic()
    pipeline.check_config(cfg)  # ConfigError -> exit 2, before the workdir is touched
    try:
        with workdir_lock(cfg.paths.workdir, cfg.run_id):
            out = pipeline.run_all(cfg, _progress)
    except (WorkdirBusy, pipeline.SourcesFailed) as exc:
        print(f"zonewatch: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except pipeline.GateBlocked as exc:
        print(exc.summary_text, file=sys.stderr)
        print(f"zonewatch: quality gate blocked publication; report: {exc.report_dir}; "
              f"published warehouse unchanged: {cfg.warehouse}", file=sys.stderr)
        return EXIT_BLOCKED
    except pipeline.BuildFailed as exc:
        print(f"zonewatch: {exc}", file=sys.stderr)
        return EXIT_BLOCKED if exc.tests_only else EXIT_ERROR
    land, proc, build, gate = out.land, out.process, out.build, out.gate
    line = (f"run {cfg.run_id}: {land.pages_seen} pages read ({land.landed_new} new, "
            f"{land.errors} unreadable), {proc.pages_processed} processed "
            f"({proc.pages_rejected} rejected), {proc.mentions} mentions; ")
    if build is None or gate is None:  # nothing new: no build, no gate, nothing published
        line += f"{out.unchanged}; {cfg.warehouse} as it was"
    else:
        new_mentions = build.new_staging_rows.get("stg_landing__mentions", 0)
        line += (f"dbt {'incremental' if build.incremental else 'full'} build "
                 f"(+{new_mentions} mentions); gate passed ({gate.warnings} warnings, "
                 f"{gate.quarantined} quarantined); published {cfg.warehouse}")
    print(line + f" in {time.monotonic() - t0:.1f}s"
          + "".join(f"; source {f.source} failed: {f.failed}" for f in land.sources
                    if f.failed))
    return EXIT_OK


def _eval(args: argparse.Namespace) -> int:
    from ingest import evaluate, pipeline

    gold_path, input_dir = Path(args.gold), Path(args.input)
    if not gold_path.is_file():
        raise ConfigError(f"--gold {gold_path}: no such file")
    gold = evaluate.load_gold(gold_path)
    with tempfile.TemporaryDirectory(prefix="zonewatch-eval-") as tmp:
        workdir = Path(args.workdir) if args.workdir else Path(tmp)
        cfg = RunConfig.create(workdir=workdir, input_dir=input_dir)
        pipeline.land_step(cfg, _progress)
        pipeline.process_step(cfg, _progress)
        pipeline.build_step(cfg, _progress)
        predicted = evaluate.predicted_facts(cfg.paths.build_db, input_dir)
        scores = evaluate.score(gold, predicted)
        dups = evaluate.duplicates(cfg.paths.build_db)
    print(evaluate.format_report(scores, totals_only=args.totals_only))
    print(f"numbers stored as more than one fact: {dups}")
    if args.manifest:
        present = set(evaluate.page_files(input_dir).values())
        kinds = {d: k for d, k in evaluate.load_kinds(Path(args.manifest)).items() if d in present}
        print(evaluate.format_breakdown(gold, predicted, kinds))
    if args.min_f1 is not None and scores.overall[2] < args.min_f1:
        print(f"zonewatch: F1 {scores.overall[2]:.3f} is below --min-f1 {args.min_f1}",
              file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    _quiet_libraries()
    args = _parser().parse_args(argv)
    try:
        handler = {"run": _run, "eval": _eval, "summary": _summary,
                   "failures": _failures, "serve-postgres": _serve_postgres, "report": _report,
                   "docs": _docs, "exclude": _ledger, "include": _ledger,
                   "sources": _sources}[args.command]
        return handler(args)
    except ConfigError as exc:
        print(f"zonewatch: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        logger.debug("run failed", exc_info=True)
        print(f"zonewatch: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
