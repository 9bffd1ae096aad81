"""Named, lazily imported implementations: the one registry style of the package.

Protocol downloaders (by URL scheme and by DatasetURI service), harvesting provider types
and converters (one registry per conversion manager) are each a :class:`Registry`. An entry
is a ``'package.module:Class'`` string, imported the first time it is used, so that a heavy
or optional dependency (paramiko, pymysql) is only needed by the code that uses it; a class
object may be registered directly too. An entry may name the optional dependencies it needs
and the extra that installs them: when one is missing, :meth:`Registry.load` raises a
:class:`MissingDependencyError` saying what to ``pip install``. Registering a name twice is
refused.

The model is fsspec's ``registry.py`` (``known_implementations`` with an install hint per
entry, ``register_implementation`` refusing duplicates unless asked).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from geospaas_processing.errors import ConfigurationError

T = TypeVar('T')

#: The distribution name in install hints.
DISTRIBUTION = 'geospaas_processing'


class MissingDependencyError(ConfigurationError, ImportError):
    """An entry's optional dependency is not installed; the message says which extra to install.

    Also an ImportError, which is what importing the entry directly would have raised.
    """


@dataclass(frozen=True)
class Entry(Generic[T]):
    """One registered implementation.

    Attributes:
        target: ``'package.module:Class'``, or the class itself.
        requires: modules the implementation needs that a plain install may lack.
        extra: the extra of this distribution that installs ``requires``.
    """

    target: str | type[T]
    requires: tuple[str, ...] = ()
    extra: str | None = None

    def path(self) -> str:
        """The ``module:Class`` path of the entry (also for a class registered directly)."""
        if isinstance(self.target, str):
            return self.target
        return f'{self.target.__module__}:{self.target.__qualname__}'

    def install_hint(self) -> str:
        """What to run to install the entry's optional dependencies."""
        if self.extra is None:
            return f'install {", ".join(self.requires) or "its dependencies"}'
        return f"pip install '{DISTRIBUTION}[{self.extra}]'"

    def load(self) -> type[T]:
        """The class of the entry, imported now if it is a path.

        Raises:
            MissingDependencyError: a required module (or the entry's module) cannot be
                imported; the message gives the install hint.
        """
        try:
            for module_name in self.requires:
                importlib.import_module(module_name)
            if not isinstance(self.target, str):
                return self.target
            module_name, _, class_name = self.target.partition(':')
            module = importlib.import_module(module_name)
        except ImportError as exc:
            missing = exc.name or ', '.join(self.requires)
            raise MissingDependencyError(
                f'{self.path()} needs {missing}, which is not installed: {self.install_hint()}'
            ) from exc
        try:
            return getattr(module, class_name)
        except AttributeError:
            raise ConfigurationError(
                f'{self.target} is registered but {module_name} has no {class_name}: '
                'fix the registration'
            ) from None


class Registry(Generic[T]):
    """Implementations by name, imported on first use; a name is registered once.

    Args:
        kind: what the names are (``'URL scheme'``, ``'provider type'``...), for messages.
        normalize: applied to every name on registration and look-up (``str.lower`` for
            URL schemes).
    """

    def __init__(self, kind: str, normalize=None) -> None:
        self.kind = kind
        self._normalize = normalize or (lambda name: name)
        self._entries: dict[str, Entry[T]] = {}

    def register(
        self,
        name: str,
        target: str | type[T],
        *,
        requires: tuple[str, ...] = (),
        extra: str | None = None,
    ) -> None:
        """Register ``target`` (``'package.module:Class'`` or a class) under ``name``.

        Args:
            requires: modules the target needs beyond the plain install.
            extra: the extra of this distribution that installs them.

        Raises:
            ValueError: ``name`` is already registered, or ``target`` is not ``module:Class``.
        """
        if isinstance(target, str) and target.count(':') != 1:
            raise ValueError(f'{target!r} is not a "package.module:Class" path')
        key = self._normalize(name)
        if key in self._entries:
            raise ValueError(
                f'{self.kind} {name!r} is already registered (to {self._entries[key].path()})'
            )
        self._entries[key] = Entry(target, tuple(requires), extra)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._normalize(name) in self._entries

    def __iter__(self) -> Iterator[str]:
        """The registered names, in registration order."""
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def names(self) -> list[str]:
        """The registered names, sorted."""
        return sorted(self._entries)

    def entry(self, name: str) -> Entry[T]:
        """The entry registered under ``name``; KeyError when there is none."""
        return self._entries[self._normalize(name)]

    def load(self, name: str) -> type[T]:
        """The class registered under ``name``, imported now if needed.

        Raises:
            KeyError: nothing is registered under ``name``.
            MissingDependencyError: its optional dependency is missing (with the install hint).
        """
        return self.entry(name).load()
