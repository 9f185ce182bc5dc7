"""The "what" of an event: the clause governing a mention, its predicate, type and modality.

``describe`` is asked for a span (a place, or an actor of an event without a place) and
answers with a ``Clause``: the governing verb phrase, lemmatised ("fly to", "call for"),
its event type from the taxonomy in ``data/``, and whether the text reports it, plans it
or denies it.

This first version gives the governing verb's lemma, the type "other" and "reported";
the taxonomy and the modality rules replace it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from geo.models import Modality

if TYPE_CHECKING:
    from spacy.tokens import Span


@dataclass(frozen=True)
class Clause:
    predicate: str = ""
    event_type: str = "other"
    modality: Modality = "reported"


def describe(span: Span) -> Clause:
    """The clause that governs ``span``: its verb's lemma; type and modality by default."""
    token = span.root
    for _ in range(12):  # up the tree to the first verb, a bounded walk
        if token.pos_ in ("VERB", "AUX") or token.head.i == token.i:
            break
        token = token.head
    return Clause(predicate=token.lemma_.lower() if token.pos_ in ("VERB", "AUX") else "")
