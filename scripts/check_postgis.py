"""Exit 0 when the PostgreSQL server of GEOSPAAS_DB_* can run PostGIS; else say why, exit 1."""

import os
import sys

try:
    import psycopg2
except ImportError:
    sys.exit('psycopg2 is not installed (pip install psycopg2-binary)')

try:
    connection = psycopg2.connect(
        host=os.environ['GEOSPAAS_DB_HOST'],
        port=os.environ.get('GEOSPAAS_DB_PORT', '5432'),
        user=os.environ.get('GEOSPAAS_DB_USER'),
        password=os.environ.get('GEOSPAAS_DB_PASSWORD'),
        dbname='postgres',
        connect_timeout=5,
    )
except psycopg2.Error as exc:
    sys.exit(f'cannot connect: {str(exc).strip()}')
with connection, connection.cursor() as cursor:
    cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")
    if cursor.fetchone() is None:
        sys.exit(
            'the postgis extension is not installed on the server '
            '(Debian: apt-get install postgresql-15-postgis-3)'
        )
