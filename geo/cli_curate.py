"""``python -m geo curate``: the editors' curation from the command line (list, make, undo rules).

Split from ``geo.cli`` (one module per concern); ``geo.cli.build_parser`` registers it. Whoever can
write the store's database can curate; the rules record "command line" as their editor.
"""

from __future__ import annotations

import argparse
import sys

from geo.errors import StoreError

EDITOR = "command line"


def _say(message: str) -> None:
    from geo.cli import printable

    sys.stderr.write(printable(message) + "\n")


def cmd_curate(args: argparse.Namespace) -> int:
    from geo.cli import _settings, printable
    from geo.store import Store

    with Store(_settings(args).db_url) as store:
        if args.action == "list":
            for rule in store.curations():
                when = rule.created_at.strftime("%Y-%m-%d %H:%M") if rule.created_at else ""
                cells = (rule.curation_id, rule.kind, printable(rule.describe()), printable(rule.editor),
                         when)
                sys.stdout.write("\t".join(cells) + "\n")
            return 0
        if store.read_only:
            raise StoreError("the store is on a read-only disk: nothing can be curated")
        action = args.action
        if action == "undo":
            rule = store.remove_curation(args.rule)
            _say(f"undone: {rule.describe()}")
            return 0
        if action == "not-place":
            changed = store.mark_not_place(args.name, article_id=args.article or "", editor=EDITOR)
        elif action == "delete-event":
            changed = store.delete_event(args.event, editor=EDITOR)
        elif action == "delete-article":
            changed = store.remove_article(args.article, editor=EDITOR)
        elif action == "rename":
            changed = store.rename_actor(args.old, args.new, editor=EDITOR)
        elif action == "split":
            changed = store.split_actor(args.old, args.new, article_ids=args.article or (),
                                        event_ids=args.event or (), editor=EDITOR)
        else:
            changed = store.set_event_type(args.event, args.type, editor=EDITOR)
        _say(f"{changed} event(s) changed")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("curate", help="editors' curation: not a place, delete, rename/merge/split actors, "
                                      "event types; list or undo rules")
    actions = p.add_subparsers(dest="action", required=True)

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        one = actions.add_parser(name, help=help_text)
        one.add_argument("--db", help="database URL (default: GEOSTORY_DB_URL)")
        return one

    action("list", "the rules in force, oldest first (tab-separated: id, kind, rule, editor, time)")
    one = action("not-place", "a name is not a place (everywhere, or in one article): its events go")
    one.add_argument("name")
    one.add_argument("--article", metavar="ARTICLE_ID", help="only in this article")
    action("delete-event", "delete one event").add_argument("event", metavar="EVENT_ID")
    action("delete-article", "delete an article and its events; ingesting it again stores nothing"
           ).add_argument("article", metavar="ARTICLE_ID")
    one = action("rename", "rename an actor everywhere; into an existing actor's name: a merge")
    one.add_argument("old")
    one.add_argument("new")
    one = action("split", "call an actor's mentions in the given articles or events another actor")
    one.add_argument("old")
    one.add_argument("new")
    one.add_argument("--article", action="append", metavar="ARTICLE_ID")
    one.add_argument("--event", action="append", metavar="EVENT_ID")
    one = action("type", "change an event's type (docs/event_types.md)")
    one.add_argument("event", metavar="EVENT_ID")
    one.add_argument("type")
    action("undo", "remove a rule (see list); what it removed returns on reanalyse or re-ingest"
           ).add_argument("rule", metavar="RULE_ID")
    p.set_defaults(func=cmd_curate)
