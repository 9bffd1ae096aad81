"""Settings of a django-geo-spaas deployment, for the real django-geo-spaas in .venv-geospaas.

Run by that environment's Django 3.2 (it must not import geospaas_processing): the apps
django-geo-spaas's own settings install for its catalog, and the PostGIS database named
by GEOSPAAS_DB_* (the test's).
"""

import os

SECRET_KEY = 'django-geo-spaas-under-test'
USE_TZ = True
INSTALLED_APPS = ['django.contrib.gis', 'geospaas.vocabularies', 'geospaas.catalog']
DATABASES = {
    'default': {
        'ENGINE': 'django.contrib.gis.db.backends.postgis',
        'HOST': os.environ['GEOSPAAS_DB_HOST'],
        'PORT': os.environ['GEOSPAAS_DB_PORT'],
        'USER': os.environ['GEOSPAAS_DB_USER'],
        'PASSWORD': os.environ['GEOSPAAS_DB_PASSWORD'],
        'NAME': os.environ['GEOSPAAS_DB_NAME'],
    }
}
DEFAULT_AUTO_FIELD = 'django.db.models.AutoField'
