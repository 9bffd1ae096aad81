"""How the idf-converter command is found and how its outcomes are reported.

These tests use small stand-in commands (shell scripts) in place of idf-converter,
to reach outcomes the real tool gives only on real products: a run that hangs, a
run that succeeds but writes nothing. The real tool is tested in test_idf_conversion.
"""

from __future__ import annotations

import pickle
import stat
import time
from pathlib import Path

import pytest

from geospaas_processing.converters.errors import ConversionToolError, ConversionToolMissing
from geospaas_processing.converters.idf.converter import IDFConverter
from geospaas_processing.converters.idf.runner import idf_converter_command


def stand_in(tmp_path: Path, body: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    script = tmp_path / 'bin' / 'idf-converter'
    script.parent.mkdir(exist_ok=True)
    script.write_text(f'#!/bin/sh\n{body}\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv('GEOSPAAS_PROCESSING_IDF_CONVERTER', str(script))
    return script


def test_the_configured_command_is_used(tmp_path, monkeypatch):
    script = stand_in(tmp_path, 'exit 0', monkeypatch)
    assert idf_converter_command() == str(script)


def test_a_command_that_is_not_executable_is_missing(tmp_path, monkeypatch):
    script = stand_in(tmp_path, 'exit 0', monkeypatch)
    script.chmod(0o644)
    with pytest.raises(ConversionToolMissing, match='GEOSPAAS_PROCESSING_IDF_CONVERTER') as caught:
        idf_converter_command()
    assert 'install_idf_converter.sh' in str(caught.value)
    assert isinstance(pickle.loads(pickle.dumps(caught.value)), ConversionToolMissing)


def test_a_run_that_writes_nothing_is_an_error_with_the_tools_log(tmp_path, monkeypatch):
    stand_in(tmp_path, 'echo "No variable to extract" >&2; exit 0', monkeypatch)
    (tmp_path / 'in.nc').write_text('x')
    with pytest.raises(ConversionToolError, match='made no ESA_CCI_SST_L4 granule') as caught:
        IDFConverter(['esa_cci_sst_l4.cfg']).run(tmp_path / 'in.nc', tmp_path / 'out')
    assert caught.value.output == 'No variable to extract'


def test_a_run_that_hangs_is_stopped_with_its_children(tmp_path, monkeypatch):
    stand_in(tmp_path, 'echo converting >&2; sleep 30', monkeypatch)
    (tmp_path / 'in.nc').write_text('x')
    started = time.monotonic()
    with pytest.raises(ConversionToolError, match='did not finish') as caught:
        IDFConverter(['esa_cci_sst_l4.cfg']).run(tmp_path / 'in.nc', tmp_path / 'out', timeout=0.5)
    assert caught.value.output == 'converting'
    assert time.monotonic() - started < 10  # the sleeping child did not hold the pipes


def test_the_command_line_gives_the_parameter_file_input_and_output(tmp_path, monkeypatch):
    arguments = tmp_path / 'arguments.txt'
    stand_in(
        tmp_path,
        f'printf "%s\\n" "$@" > {arguments}\n'
        'out=$(echo "$@" | sed "s/.*-o path=//")\n'
        'mkdir -p "$out/SLSTR/granule"',
        monkeypatch,
    )
    product = tmp_path / 'S3A_SL_1_RBT____PRODUCT.SEN3'
    product.mkdir()
    coefficients = tmp_path / 'auxiliary' / 'slstr_sst_coefficients' / '1'
    coefficients.mkdir(parents=True)
    (coefficients / 'slstr_sst_coefficients.txt').write_text('coefficients')
    monkeypatch.setenv('GEOSPAAS_PROCESSING_AUXILIARY_PATH', str(tmp_path / 'auxiliary'))
    parameter_file = tmp_path / 'slstr.cfg'
    parameter_file.write_text('-t sentinel3/slstr/L1/bt\n-o collection=SLSTR\n')
    converter = IDFConverter(
        [str(parameter_file)], auxiliary_files={'sst_coeffs_path': 'slstr_sst_coefficients'}
    )

    results = converter.run(product, tmp_path / 'out')

    assert results == ['SLSTR/granule']
    assert arguments.read_text().splitlines() == [
        f'{parameter_file}@',
        '-i',
        f'path={product}',
        f'sst_coeffs_path={coefficients / "slstr_sst_coefficients.txt"}',
        '-o',
        f'path={tmp_path / "out"}',
    ]
