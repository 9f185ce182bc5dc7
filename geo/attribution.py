"""Attribution: which actors a sentence puts at a place, in what role, and which it only names.

``attribute`` is asked once per place mention. It sees the parse, the place's span, the
sentence (or its window) and the actors named there, and answers with an ``Attribution``:
the actors the sentence puts at, or acting at, the place (each with a role: ``at``, ``to``
or ``from``), and every other actor it names (``mentioned``).

This first version keeps the behaviour from before issue 11: every actor named in the
sentence is put at the place, in the role ``at``. The rules on the parse replace it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from geo.models import Role

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span


@dataclass(frozen=True)
class Attribution:
    """Who a sentence ties to one place, and how; and whom it only names."""

    actors: tuple[str, ...] = ()
    roles: tuple[tuple[str, Role], ...] = ()  # (actor, role), in the order of ``actors``
    mentioned: tuple[str, ...] = ()


def attribute(doc: Doc, place: Span, context: tuple[int, int], named: tuple[str, ...]) -> Attribution:
    """The actors ``named`` in ``context`` (character offsets) that the text puts at ``place``."""
    return Attribution(actors=named, roles=tuple((a, "at") for a in named), mentioned=())
