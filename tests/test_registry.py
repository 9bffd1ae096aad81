"""The one registry style: lazy ``module:Class`` entries, duplicates refused, install hints.

A missing optional dependency is simulated the way Python itself reports one: a subprocess
sets ``sys.modules[name] = None`` before anything imports it, so ``import name`` raises
ImportError (Python reference, "The import system", 5.3.1 The module cache: "If the value
at that key is None, the import will raise a ModuleNotFoundError").
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from geospaas_processing.registry import MissingDependencyError, Registry

#: The modules of this distribution's extras (pyproject.toml, [project.optional-dependencies]).
OPTIONAL_MODULES = ('paramiko', 'pymysql', 'pyotp', 'psycopg2', 'redis', 'graypy', 'flower')

#: Lists every registry of the package as (label, registry) pairs; run in each subprocess.
LIST_REGISTRIES = textwrap.dedent(
    """
    from geospaas_processing.converters.idf.converter import IDFConversionManager
    from geospaas_processing.converters.syntool.converter import SyntoolConversionManager
    from geospaas_processing.downloaders.base import registry as downloaders
    from geospaas_processing.harvesting.providers import registry as providers

    REGISTRIES = [
        ('downloader by scheme', downloaders.schemes),
        ('downloader by service', downloaders.services),
        ('provider type', providers),
        ('IDF converter', IDFConversionManager._registry),
        ('Syntool converter', SyntoolConversionManager._registry),
    ]
    """
)


def run_python(blocked: tuple[str, ...], code: str) -> list:
    """Run ``code`` in a fresh interpreter with ``blocked`` modules made unimportable."""
    prelude = ''.join(f'sys.modules[{name!r}] = None\n' for name in blocked)
    script = f'import json, sys\n{prelude}{LIST_REGISTRIES}\n{textwrap.dedent(code)}'
    done = subprocess.run(
        [sys.executable, '-c', script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def load_every_entry(blocked: tuple[str, ...]) -> list:
    """Each entry of each registry: (label, name, extra, 'ok' or the error's class and text)."""
    return run_python(
        blocked,
        """
        from geospaas_processing.registry import MissingDependencyError
        rows = []
        for label, registry in REGISTRIES:
            for name in registry:
                entry = registry.entry(name)
                try:
                    registry.load(name)
                    outcome = 'ok'
                except MissingDependencyError as exc:
                    outcome = f'missing: {exc}'
                rows.append([label, name, entry.extra, list(entry.requires), outcome])
        print(json.dumps(rows))
        """,
    )


def test_every_entry_imports_with_every_extra_installed():
    rows = load_every_entry(blocked=())
    assert {row[0] for row in rows} == {
        'downloader by scheme',
        'downloader by service',
        'provider type',
        'IDF converter',
        'Syntool converter',
    }
    assert all(row[1:] and row[4] == 'ok' for row in rows), rows


def test_without_optional_dependencies_every_entry_imports_or_names_its_extra():
    rows = load_every_entry(blocked=OPTIONAL_MODULES)
    for _label, name, extra, requires, outcome in rows:
        if set(requires) & set(OPTIONAL_MODULES):
            assert outcome.startswith('missing: '), (name, outcome)
            assert f"pip install 'geospaas_processing[{extra}]'" in outcome, outcome
        else:
            assert outcome == 'ok', (name, outcome)
    # SFTP is the downloader behind the ``sftp`` extra.
    assert any(row[1] == 'sftp' and row[4].startswith('missing') for row in rows), rows


def test_sftp_url_without_paramiko_names_the_sftp_extra():
    message = run_python(
        ('paramiko',),
        """
        from geospaas_processing.registry import MissingDependencyError
        try:
            downloaders.downloader_class('sftp://example.org/data/file.nc', 'sftp')
        except MissingDependencyError as exc:
            print(json.dumps(str(exc)))
        """,
    )
    assert "pip install 'geospaas_processing[sftp]'" in message
    assert 'paramiko' in message


def test_lazy_entry_is_imported_on_first_use_only():
    loaded = run_python(
        (),
        """
        from geospaas_processing.registry import Registry
        registry = Registry('example')
        registry.register('x', 'email.mime.audio:MIMEAudio')
        before = 'email.mime.audio' in sys.modules
        cls = registry.load('x')
        print(json.dumps([before, cls.__name__]))
        """,
    )
    assert loaded == [False, 'MIMEAudio']


def test_duplicate_names_and_bad_paths_are_refused():
    registry = Registry('example', str.lower)
    registry.register('HTTP', 'json:JSONDecoder')
    with pytest.raises(ValueError, match="'http' is already registered"):
        registry.register('http', 'json:JSONEncoder')
    with pytest.raises(ValueError, match='module:Class'):
        registry.register('other', 'json.JSONEncoder')
    with pytest.raises(KeyError):
        registry.load('ftp')


def test_downloader_registry_refuses_a_second_downloader_for_a_scheme():
    from geospaas_processing.downloaders.base import registry

    with pytest.raises(ValueError, match='already served'):
        registry.register('mypackage.s3:S3Downloader', services=('s3',), schemes=('https',))
    assert 's3' not in registry.services


def test_missing_class_in_a_present_module_says_to_fix_the_registration():
    registry = Registry('example')
    registry.register('x', 'json:NoSuchDecoder')
    with pytest.raises(Exception, match='json has no NoSuchDecoder'):
        registry.load('x')


def test_lazily_registered_converter_without_its_dependency_names_the_extra():
    message = run_python(
        ('pymysql',),
        """
        from geospaas_processing.converters.base import ConversionManager
        from geospaas_processing.registry import MissingDependencyError

        class Manager(ConversionManager):
            '''A manager of one lazily registered converter.'''

        Manager.register(
            'geospaas_processing.converters.base:Converter', requires=('pymysql',), extra='syntool'
        )
        try:
            Manager.converters()
        except MissingDependencyError as exc:
            print(json.dumps(str(exc)))
        """,
    )
    assert "pip install 'geospaas_processing[syntool]'" in message


def test_missing_dependency_error_is_a_configuration_error_and_an_import_error():
    from geospaas_processing.errors import ConfigurationError, TemporaryError

    assert issubclass(MissingDependencyError, ConfigurationError)
    assert issubclass(MissingDependencyError, ImportError)
    assert not issubclass(MissingDependencyError, TemporaryError)
