"""``python -m geo story``: list stories, put articles in one, rename one.

Split from ``geo.cli`` (one module per concern); ``geo.cli.build_parser`` registers it.
"""

from __future__ import annotations

import argparse
import sys

from geo.errors import StoreError


def _say(message: str) -> None:
    from geo.cli import printable

    sys.stderr.write(printable(message) + "\n")


def cmd_story(args: argparse.Namespace) -> int:
    from geo.cli import _settings, printable
    from geo.store import Store

    with Store(_settings(args).db_url) as store:
        if args.action == "list":
            for info in store.stories():
                span = f"{info.first} to {info.last}" if info.first else "no events"
                cells = (printable(info.name), f"{info.articles} article(s)", f"{info.events} event(s)", span)
                sys.stdout.write("\t".join(cells) + "\n")
            return 0
        if store.read_only:
            raise StoreError("the store is on a read-only disk: no story can be changed")
        if args.action == "set":
            moved = store.set_story(args.articles, args.name)
            where = f"story {args.name!r}" if args.name.strip() else "no story"
            _say(f"{moved} article(s) moved to {where}")
        else:
            moved = store.rename_story(args.name, args.new_name)
            _say(f"story {args.name!r} renamed {args.new_name!r}: {moved} article(s)")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("story", help="list the stories, put articles in a story, or rename one")
    actions = p.add_subparsers(dest="action", required=True)
    one = actions.add_parser("list", help="each story: articles, events, dates (tab-separated)")
    one.add_argument("--db", help="database URL (default: GEOSTORY_DB_URL)")
    one = actions.add_parser("set", help="put articles in a story ('' takes them out of any)")
    one.add_argument("name")
    one.add_argument("articles", nargs="+", metavar="ARTICLE_ID")
    one.add_argument("--db", help="database URL (default: GEOSTORY_DB_URL)")
    one = actions.add_parser("rename", help="rename a story (into an existing one: they merge)")
    one.add_argument("name")
    one.add_argument("new_name")
    one.add_argument("--db", help="database URL (default: GEOSTORY_DB_URL)")
    p.set_defaults(func=cmd_story)
