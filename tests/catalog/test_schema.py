"""The catalog schema matches GeoSPaaS's, so existing deployments keep their database."""

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_models_and_migrations_agree():
    output = StringIO()
    call_command('makemigrations', '--check', '--dry-run', stdout=output)
    assert 'No changes detected' in output.getvalue()


@pytest.mark.django_db
def test_tables_have_the_geospaas_names():
    from django.db import connection

    tables = set(connection.introspection.table_names())
    expected = {
        'catalog_dataset',
        'catalog_dataseturi',
        'catalog_source',
        'catalog_geographiclocation',
        'catalog_datasetrelationship',
        'catalog_dataset_parameters',
        'vocabularies_platform',
        'vocabularies_instrument',
        'vocabularies_parameter',
        'vocabularies_datacenter',
        'vocabularies_isotopiccategory',
        'vocabularies_location',
        'catalog_personnel',
        'catalog_role',
        'vocabularies_project',
        'vocabularies_horizontaldataresolution',
        'vocabularies_verticaldataresolution',
        'vocabularies_temporaldataresolution',
        'geospaas_processing_processingresult',
    }
    assert expected <= tables
