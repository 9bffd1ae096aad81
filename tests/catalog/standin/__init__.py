"""Django settings of projects that install a stand-in for django-geo-spaas (see ``geospaas``).

The folder is put on ``PYTHONPATH`` by the tests, so that ``geospaas`` imports as it would
from a django-geo-spaas installation.
"""
