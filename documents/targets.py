"""Attachment targets owned by the apps above documents (documents may not import them).

An upper app registers, at its AppConfig.ready(), how to tell whether a user may see one of its records (raise
Http404 otherwise), where to go back to after an upload or deletion, and which file types the record accepts
(None: every allowed type). documents then serves those attachments exactly to whoever may see the record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ExternalTarget:
    visible: Callable[..., Any]  # visible(user=..., pk=...) → the record, or Http404
    back_url: Callable[[int], str]
    extensions: frozenset[str] | None = None
    file_label: Any = None  # how the upload form names its file field (errors name it), e.g. "Photo"


_registry: dict[str, ExternalTarget] = {}


def register(
    target: str,
    *,
    visible: Callable[..., Any],
    back_url: Callable[[int], str],
    extensions: frozenset[str] | None = None,
    file_label: Any = None,
) -> None:
    """Idempotent: ready() may run more than once in tests."""
    _registry[target] = ExternalTarget(visible=visible, back_url=back_url, extensions=extensions, file_label=file_label)


def get(target: str) -> ExternalTarget | None:
    return _registry.get(target)


def extensions_for(target: str) -> frozenset[str] | None:
    found = _registry.get(target)
    return found.extensions if found else None
