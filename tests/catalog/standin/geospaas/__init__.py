"""A small stand-in for django-geo-spaas (https://github.com/nansencenter/django-geo-spaas).

It stands for django-geo-spaas at commit 094ade3, which cannot be installed here with its
dependencies (nansat, pythesint, GDAL bindings): the apps ``geospaas.vocabularies`` and
``geospaas.catalog`` with django-geo-spaas's app labels, table names and model fields
(from its ``catalog/models.py`` and ``vocabularies/models.py`` at that commit), and nothing
else (no managers, views or ingestors).

Its migration modules are this package's (``MIGRATION_MODULES`` in the settings), which
reproduce django-geo-spaas's under the same names; the tests use the stand-in on databases
where django-geo-spaas's migrations are already recorded, so only their names and resulting
state matter.
"""
