"""Command-line entry point: `python -m bot <command>` (also the `tanya-netral` script)."""

from __future__ import annotations

import argparse
import sys

from .knowledge import KnowledgeError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tanya-netral", description="Tanya Netral: ASN neutrality Q&A bot.")
    parser.add_argument("--knowledge", metavar="DIR", help="knowledge folder (default: the shipped one)")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("chat", help="interactive console chat (no Telegram needed)")

    ask = sub.add_parser("ask", help="answer one question, or one per line from stdin with '-'")
    ask.add_argument("question", help="the question, or - to read questions from stdin")
    ask.add_argument("--json", action="store_true", help="one JSON object per question")
    ask.add_argument("--explain", action="store_true", help="show normalised text and scored candidates")

    ev = sub.add_parser("eval", help="accuracy on a labelled question file")
    ev.add_argument("file")
    ev.add_argument("--errors", action="store_true", help="list every miss")
    ev.add_argument("--baseline", action="store_true", help="also measure the naive WRatio bot")

    kb = sub.add_parser("kb", help="knowledge-base tools")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True)
    kb_check = kb_sub.add_parser("check", help="validate the knowledge base")
    kb_check.add_argument("--topics", metavar="FILE", help="topics.yaml whose topics must all be covered (default: the one in the knowledge folder)")
    kb_check.add_argument("--stale", action="store_true",
                          help="also list what to re-check before an election season (old reviews, replaced law, notes)")
    kb_check.add_argument("--days", type=int, default=180, metavar="N",
                          help="a review older than N days is stale (default 180)")
    kb_sub.add_parser("learned", help="print the curators' learned examples as YAML")

    sub.add_parser("run", help="run the Telegram bot (long polling, or webhook when BOT_WEBHOOK_URL is set)")
    sub.add_parser("health", help="exit 0 when the knowledge base loads and the database is writable")
    sub.add_parser("config", help="print the effective configuration, secrets redacted")

    log = sub.add_parser("log", help="the question log, for curators")
    log_sub = log.add_subparsers(dest="log_command", required=True)
    queue = log_sub.add_parser("queue", help="the review queue, grouped by similarity")
    queue.add_argument("--since", metavar="AGE", help="only questions newer than this, e.g. 7d, 12h")
    stats = log_sub.add_parser("stats", help="statistics")
    stats.add_argument("--since", metavar="AGE", help="the period of the statistics (default 30d), e.g. 7d")
    export = log_sub.add_parser("export", help="export the log")
    export.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    export.add_argument("--since", metavar="AGE", help="only rows newer than this, e.g. 7d, 12h")
    export.add_argument("--out", metavar="FILE", help="write here instead of stdout")
    purge = log_sub.add_parser("purge", help="delete rows older than DAYS")
    purge.add_argument("--older-than", metavar="DAYS", type=int, required=True)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from . import cli

    try:
        if args.command == "chat":
            return cli.cmd_chat(args.knowledge, sys.stdin, sys.stdout)
        if args.command == "ask":
            return cli.cmd_ask(args.question, as_json=args.json, explain=args.explain,
                               root=args.knowledge, out=sys.stdout)
        if args.command == "eval":
            return cli.cmd_eval(args.file, errors=args.errors, baseline=args.baseline,
                                root=args.knowledge, out=sys.stdout)
        if args.command == "kb" and args.kb_command == "check":
            return cli.cmd_kb_check(args.knowledge, args.topics, sys.stdout, stale=args.stale, days=args.days)
        if args.command == "kb" and args.kb_command == "learned":
            from . import logcli
            return logcli.cmd_learned(sys.stdout)
        if args.command == "run":
            from . import app
            return app.cmd_run(args.knowledge)
        if args.command in ("health", "config"):
            from . import ops
            return ops.cmd_health(args.knowledge) if args.command == "health" else ops.cmd_config()
        if args.command == "log":
            from . import logcli
            return logcli.cmd_log(args)
    except KnowledgeError as exc:
        return cli.report_broken(exc, sys.stderr)
    except (OSError, ValueError) as exc:
        # A missing or malformed file named on the command line: one line, no traceback.
        print(f"tanya-netral: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
