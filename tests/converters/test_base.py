"""The converters' contract: registries, selection order, conversion and atomic results."""

from __future__ import annotations

import pickle
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

import geospaas_processing.converters as converters
from geospaas_processing.catalog.models import Dataset
from geospaas_processing.catalog.records import DatasetRecord, create_dataset
from geospaas_processing.converters.base import ConversionManager, Converter, ParameterSelector
from geospaas_processing.converters.errors import (
    AuxiliaryFileError,
    ConversionError,
    ConversionInputError,
    ConversionToolError,
    ConversionToolMissing,
    NoMatch,
    PartialConversionError,
)

README = Path(__file__).resolve().parents[2] / 'README.md'


def dataset_record(entry_id: str) -> DatasetRecord:
    return DatasetRecord(
        entry_id,
        datetime(2024, 3, 1, tzinfo=UTC),
        datetime(2024, 3, 2, tzinfo=UTC),
        'POLYGON((0 60,10 60,10 70,0 70,0 60))',
    )


def starts_with(prefix):
    return lambda dataset: dataset.entry_id.startswith(prefix)


class ParamConverter(Converter):
    PARAMETER_SELECTORS = (ParameterSelector(matches=starts_with('a'), param='a'),)

    def __init__(self, param):
        self.param = param


def test_registries_of_managers_are_separate_including_subclasses_of_managers():
    class FirstManager(ConversionManager):
        pass

    class SecondManager(ConversionManager):
        pass

    class ChildOfFirstManager(FirstManager):
        pass

    FirstManager.register()(ParamConverter)

    assert FirstManager.converters() == (ParamConverter,)
    assert SecondManager.converters() == ()
    assert ChildOfFirstManager.converters() == ()
    with pytest.raises(NoMatch):
        SecondManager('.').get_converter(Dataset(entry_id='abc'))


def test_a_subclass_is_tried_before_its_parent_otherwise_registration_order():
    class Manager(ConversionManager):
        pass

    @Manager.register()
    class Parent(Converter):
        PARAMETER_SELECTORS = (ParameterSelector(matches=starts_with('x'), name='parent'),)

        def __init__(self, name):
            self.name = name

    @Manager.register()
    class Unrelated(Converter):
        PARAMETER_SELECTORS = (ParameterSelector(matches=starts_with('x'), name='unrelated'),)

        def __init__(self, name):
            self.name = name

    @Manager.register()
    class Child(Parent):
        PARAMETER_SELECTORS = (ParameterSelector(matches=starts_with('x_special'), name='child'),)

    assert Manager.converters() == (Child, Parent, Unrelated)
    assert Manager('.').get_converter(Dataset(entry_id='x_special_1')).name == 'child'
    assert Manager('.').get_converter(Dataset(entry_id='x_plain')).name == 'parent'


def test_get_converter_is_callable_on_the_manager_class_as_upstream_users_call_it():
    class Manager(ConversionManager):
        pass

    Manager.register()(ParamConverter)
    dataset = Dataset(entry_id='a_product')

    assert Manager.get_converter(dataset).param == 'a'  # upstream's classmethod call
    assert Manager('.').get_converter(dataset).param == 'a'
    with pytest.raises(NoMatch, match='Manager has no converter .*zzz'):
        Manager.get_converter(Dataset(entry_id='zzz'))


def test_registration_is_refused_twice_or_on_the_base_manager():
    class Manager(ConversionManager):
        pass

    Manager.register()(ParamConverter)
    with pytest.raises(ValueError, match='already registered'):
        Manager.register()(ParamConverter)
    with pytest.raises(TypeError):
        ConversionManager.register()
    with pytest.raises(TypeError):
        Manager.register()(object)


def test_no_match_names_the_dataset():
    class Manager(ConversionManager):
        pass

    Manager.register()(ParamConverter)
    with pytest.raises(NoMatch, match='zzz_product'):
        Manager('.').get_converter(Dataset(pk=7, entry_id='zzz_product'))


def test_errors_are_conversion_errors_and_survive_pickling():
    error = ConversionToolError('idf-converter failed', output='Traceback: boom', returncode=1)
    copy = pickle.loads(pickle.dumps(error))
    assert (str(copy), copy.output, copy.returncode) == (
        'idf-converter failed',
        'Traceback: boom',
        1,
    )
    partial = PartialConversionError('2 of 3 done', results=['a', 'b'], errors=['c: boom'])
    copy = pickle.loads(pickle.dumps(partial))
    assert (copy.results, copy.errors) == (['a', 'b'], ['c: boom'])
    for cls in (NoMatch, ConversionInputError, ConversionToolMissing, AuxiliaryFileError):
        restored = pickle.loads(pickle.dumps(cls('what went wrong')))
        assert isinstance(restored, ConversionError)
        assert str(restored) == 'what went wrong'


def test_public_names_are_the_documented_ones():
    assert sorted(converters.__all__) == [
        'AuxiliaryFileError',
        'ConversionError',
        'ConversionInputError',
        'ConversionManager',
        'ConversionToolError',
        'ConversionToolMissing',
        'Converter',
        'NoMatch',
        'ParameterSelector',
        'PartialConversionError',
    ]


class WritingConverter(Converter):
    """Writes a file and a folder named after its parameter, reporting them."""

    PARAMETER_SELECTORS = (ParameterSelector(matches=starts_with('writer'), tag='v1'),)

    def __init__(self, tag):
        self.tag = tag

    def run(self, in_file, out_dir, **kwargs):
        self.seen = (in_file, out_dir, kwargs)
        (out_dir / 'result.txt').write_text(f'{self.tag} {in_file.read_text()}')
        granule = out_dir / 'collection' / 'granule'
        granule.mkdir(parents=True)
        (granule / 'data.nc').write_text(self.tag)
        return ['result.txt', 'collection/granule']


@pytest.mark.django_db
def test_convert_runs_on_the_input_and_moves_results_into_the_output(tmp_path):
    class Manager(ConversionManager):
        pass

    Manager.register()(WritingConverter)
    dataset = create_dataset(dataset_record('writer_1'))
    (tmp_path / 'downloads').mkdir()
    (tmp_path / 'downloads' / 'input.nc').write_text('input data')
    output = tmp_path / 'output'

    manager = Manager(tmp_path / 'downloads', output)
    results = manager.convert(dataset.id, 'input.nc', colour='blue')

    assert results == ['result.txt', 'collection/granule']
    assert (output / 'result.txt').read_text() == 'v1 input data'
    assert (output / 'collection' / 'granule' / 'data.nc').read_text() == 'v1'
    assert sorted(path.name for path in output.iterdir()) == ['collection', 'result.txt']


@pytest.mark.django_db
def test_convert_refuses_inputs_outside_the_working_directory_and_unknown_datasets(tmp_path):
    class Manager(ConversionManager):
        pass

    Manager.register()(WritingConverter)
    dataset = create_dataset(dataset_record('writer_2'))
    with pytest.raises(ConversionInputError, match='outside the working directory'):
        Manager(tmp_path).convert(dataset.id, '../elsewhere.nc')
    with pytest.raises(ConversionInputError, match='dataset 987654 is not in the catalog'):
        Manager(tmp_path).convert(987654, 'input.nc')


def test_move_results_replaces_older_results_of_the_same_name(tmp_path):
    output = tmp_path / 'output'
    (output / 'collection' / 'granule').mkdir(parents=True)
    (output / 'collection' / 'granule' / 'old.nc').write_text('old')
    (output / 'result.txt').write_text('old')
    (output / 'collection' / 'other').mkdir()
    staging = tmp_path / 'staging'
    (staging / 'collection' / 'granule').mkdir(parents=True)
    (staging / 'collection' / 'granule' / 'new.nc').write_text('new')
    (staging / 'result.txt').write_text('new')

    moved = ConversionManager(tmp_path, output).move_results(
        staging, ['collection/granule', 'result.txt']
    )

    assert moved == ['collection/granule', 'result.txt']
    assert [p.name for p in (output / 'collection' / 'granule').iterdir()] == ['new.nc']
    assert (output / 'result.txt').read_text() == 'new'
    assert sorted(p.name for p in (output / 'collection').iterdir()) == ['granule', 'other']
    assert not any(staging.rglob('*.nc'))


def test_move_results_refuses_paths_leaving_the_folder_and_missing_results(tmp_path):
    manager = ConversionManager(tmp_path, tmp_path / 'out')
    for bad in ('../x', '/etc/passwd', ''):
        with pytest.raises(ConversionError, match='not relative'):
            manager.move_results(tmp_path, [bad])
    with pytest.raises(ConversionError, match='did not make it'):
        manager.move_results(tmp_path, ['missing.nc'])


def documented_example() -> str:
    section = README.read_text().split('## Conversion (IDF)', 1)[1]
    return re.search(r'```python\n(.*?)```', section, re.DOTALL).group(1)


@pytest.mark.django_db
def test_the_documented_example_runs_as_written(tmp_path):
    dataset = create_dataset(dataset_record('something_special_20240301'))
    Dataset.objects.filter(pk=dataset.pk).update(id=42)
    (tmp_path / 'dataset.nc').write_text('data')
    # The one change: the example's working directory is a temporary folder here.
    code = documented_example().replace("'/working_directory'", repr(str(tmp_path)))
    namespace: dict = {}

    exec(compile(code, 'README example', 'exec'), namespace)

    manager = namespace['conversion_manager']
    chosen = manager.get_converter(Dataset.objects.get(pk=42))
    assert type(chosen).__name__ == 'SpecialExampleConverter'
    assert chosen.param == 'baz'
    plain = manager.get_converter(Dataset(entry_id='something_else_1'))
    assert (type(plain).__name__, plain.param) == ('ExampleConverter', 'foo')
    assert sorted(p.name for p in tmp_path.iterdir()) == ['dataset.nc']


class HalfWayConverter(Converter):
    """Makes one result, then fails on the second step."""

    PARAMETER_SELECTORS = (ParameterSelector(matches=starts_with('halfway')),)

    def run(self, in_file, out_dir, **kwargs):
        (out_dir / 'first').mkdir()
        (out_dir / 'first' / 'data.nc').write_text('done')
        (out_dir / 'second').mkdir()  # left unfinished
        raise PartialConversionError(
            'second step failed', results=['first'], errors=['second: tool crashed']
        )


@pytest.mark.django_db
def test_results_made_before_a_failure_are_kept_and_reported(tmp_path):
    class Manager(ConversionManager):
        pass

    Manager.register()(HalfWayConverter)
    dataset = create_dataset(dataset_record('halfway_1'))
    (tmp_path / 'in.nc').write_text('x')

    with pytest.raises(PartialConversionError) as caught:
        Manager(tmp_path, tmp_path / 'out').convert(dataset.id, 'in.nc')

    assert caught.value.results == ['first']
    assert caught.value.errors == ['second: tool crashed']
    assert [p.name for p in (tmp_path / 'out').iterdir()] == ['first']
