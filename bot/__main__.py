"""Command-line entry point: `python -m bot <command>` (also the `tanya-netral` script)."""

from __future__ import annotations

import argparse
import sys

from bot.kb.model import KnowledgeError

# What `run --help` lists: every setting the bot reads from the environment.
RUN_ENVIRONMENT = """environment variables read (see deploy/.env.example):
  TELEGRAM_BOT_TOKEN      required: the bot token from @BotFather
  TELEGRAM_API_BASE_URL   another Bot API server (default: Telegram's)
  BOT_DB_PATH             SQLite question log (default: data/tanya-netral.sqlite3)
  BOT_DB_URL              postgresql://user:password@host:port/db: PostgreSQL instead of SQLite (replicas)
  BOT_HASH_SECRET         key that turns user ids into pseudonyms (default: generated beside the database;
                          required with BOT_DB_URL, the same for every replica)
  BOT_REPLICA_TIMEOUT     seconds without a heartbeat before a replica's updates are taken over (default 15)
  BOT_CURATORS            Telegram user ids of the curators, comma-separated
  BOT_LEARN_APPROVALS     curators who must approve a taught phrasing before it counts (default 1)
  BOT_SEND_WINDOW         answers sent at once per process while the inbox drains (default 1, at most 64)
  BOT_RETENTION_DAYS      days to keep question-log rows (default 365)
  BOT_KNOWLEDGE_DIR       a knowledge folder instead of the shipped one
  BOT_WEBHOOK_URL         public https:// URL: webhook mode instead of long polling
  BOT_WEBHOOK_LISTEN      webhook listener address (default 0.0.0.0)
  BOT_WEBHOOK_PORT        webhook listener port (default 8443)
  BOT_WEBHOOK_PATH        webhook URL path (default telegram)
  BOT_WEBHOOK_SECRET      secret Telegram sends with every webhook call (required with BOT_WEBHOOK_URL)
  BOT_FLOOD_PER_MINUTE    questions one user may ask per minute (default 20)
  BOT_LOG_LEVEL           DEBUG, INFO, WARNING or ERROR (default INFO)"""
DB_ENVIRONMENT = ("reads the question log at BOT_DB_PATH (default: data/tanya-netral.sqlite3), "
                  "or in PostgreSQL at BOT_DB_URL when that is set")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tanya-netral", description="Tanya Netral: ASN neutrality Q&A bot.")
    parser.add_argument("--knowledge", metavar="DIR", help="knowledge folder (default: the shipped one)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("chat", help="interactive console chat (no Telegram needed)",
                   description="Chat with the bot in the terminal: the same answers as in Telegram. "
                               "Commands: /topik, /bantuan, /tentang; 'keluar' or Ctrl-D quits.")

    ask = sub.add_parser("ask", help="answer one question, or one per line from stdin with '-'")
    ask.add_argument("question", help="the question, or - to read questions from stdin")
    ask.add_argument("--json", action="store_true", help="one JSON object per question")
    ask.add_argument("--explain", action="store_true", help="show normalised text and scored candidates")

    ev = sub.add_parser("eval", help="accuracy on a labelled question file")
    ev.add_argument("file", help="a labelled question file in the evalsets/*.yaml format")
    ev.add_argument("--errors", action="store_true", help="list every miss")
    ev.add_argument("--baseline", action="store_true", help="also measure the naive WRatio bot")

    kb = sub.add_parser("kb", help="knowledge-base tools")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True, metavar="COMMAND")
    kb_check = kb_sub.add_parser("check", help="validate the knowledge base")
    kb_check.add_argument("--topics", metavar="FILE", help="topics.yaml whose topics must all be covered (default: the one in the knowledge folder)")
    kb_check.add_argument("--stale", action="store_true",
                          help="also list what to re-check before an election season (old reviews, replaced law, notes)")
    kb_check.add_argument("--days", type=int, default=180, metavar="N",
                          help="a review older than N days is stale (default 180)")
    learned = kb_sub.add_parser("learned", help="the curators' learned examples: print, list, undo, apply",
                                description="Without options: print the learned examples in effect as YAML. "
                                            + DB_ENVIRONMENT + ".")
    what = learned.add_mutually_exclusive_group()
    what.add_argument("--list", action="store_true",
                      help="list every learned example with its id, state, curator pseudonym, time and question id")
    what.add_argument("--undo", metavar="ID", type=int,
                      help="take back the learned example with this id (a running bot forgets it within 15 s, 2 s with BOT_DB_URL)")
    what.add_argument("--apply", action="store_true",
                      help="write the examples in effect into knowledge/entries/*.yaml (comments and order kept) "
                           "and remove them from the learned table; a running bot reloads the files")

    sub.add_parser("run", help="run the Telegram bot (long polling, or webhook when BOT_WEBHOOK_URL is set)",
                   description="Run the Telegram bot until SIGINT/SIGTERM.", epilog=RUN_ENVIRONMENT,
                   formatter_class=argparse.RawDescriptionHelpFormatter)
    sub.add_parser("health", help="exit 0 when the knowledge base loads and the database is writable",
                   description="Operator check: exit 0 when the knowledge base loads and the database at "
                               "BOT_DB_PATH (or the PostgreSQL log at BOT_DB_URL) is writable, 1 (reason on "
                               "stderr) when not.")
    sub.add_parser("config", help="print the effective configuration, secrets redacted",
                   description="Print every setting read from the environment as NAME = value; secrets "
                               "are shown only as set or not set.")

    log = sub.add_parser("log", help="the question log, for curators", description=DB_ENVIRONMENT + ".")
    log_sub = log.add_subparsers(dest="log_command", required=True, metavar="COMMAND")
    queue = log_sub.add_parser("queue", help="the review queue, grouped by similarity")
    queue.add_argument("--since", metavar="AGE", help="only questions newer than this, e.g. 7d, 12h")
    stats = log_sub.add_parser("stats", help="statistics: counts, answered rate, votes, top entries")
    stats.add_argument("--since", metavar="AGE", help="the period of the statistics (default 30d), e.g. 7d")
    export = log_sub.add_parser("export", help="export the log as CSV or JSON lines")
    export.add_argument("--format", choices=("csv", "jsonl"), default="csv",
                        help="csv (Excel-ready, the default) or jsonl (one JSON object per line)")
    export.add_argument("--since", metavar="AGE", help="only rows newer than this, e.g. 7d, 12h")
    export.add_argument("--out", metavar="FILE", help="write here instead of stdout")
    report = log_sub.add_parser("report", help="one self-contained HTML page with charts of the log",
                                description="Write an HTML report (charts, largest unanswered groups, votes, "
                                            "unknown words) that opens offline in any browser.")
    report.add_argument("--out", metavar="FILE", required=True, help="the HTML file to write, e.g. report.html")
    report.add_argument("--since", metavar="AGE", help="the period of the report (default 30d), e.g. 7d")
    words = log_sub.add_parser("words", help="words in logged questions that the bot does not know",
                               description="Words in logged questions that neither the lexicons nor the "
                                           "knowledge base know, most frequent first, with an example question.")
    words.add_argument("--since", metavar="AGE", help="only questions newer than this (default 30d), e.g. 7d")
    words.add_argument("--limit", metavar="N", type=int, default=50, help="show at most N words (default 50)")
    migrate = log_sub.add_parser("migrate", help="copy the SQLite log into an empty PostgreSQL database",
                                 description="Copy every table of the SQLite log at BOT_DB_PATH (questions, votes, "
                                             "learned examples with their provenance, the inbox) into an empty "
                                             "PostgreSQL database, in one transaction, and print the counts.")
    migrate.add_argument("--to", metavar="URL", required=True,
                         help="the target, postgresql://user:password@host:port/database (must be empty)")
    purge = log_sub.add_parser("purge", help="delete rows older than DAYS")
    purge.add_argument("--older-than", metavar="DAYS", type=int, required=True,
                       help="delete questions (and their votes) asked more than DAYS days ago")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from bot import cli

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
            from bot.questionlog import cli as logcli
            return logcli.cmd_learned(sys.stdout, args=args)
        if args.command == "run":
            from bot.telegram import app
            return app.cmd_run(args.knowledge)
        if args.command in ("health", "config"):
            from bot import ops
            return ops.cmd_health(args.knowledge) if args.command == "health" else ops.cmd_config()
        if args.command == "log":
            from bot.questionlog import cli as logcli
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
