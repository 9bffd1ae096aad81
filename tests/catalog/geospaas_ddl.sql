-- The catalog and vocabularies tables as a django-geo-spaas deployment has them on PostGIS
-- (serial keys, deferred foreign keys), written out by hand for the adoption test.
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE TABLE vocabularies_platform (id serial PRIMARY KEY, category varchar(100) NOT NULL,
  series_entity varchar(100) NOT NULL, short_name varchar(100) NOT NULL,
  long_name varchar(250) NOT NULL,
  CONSTRAINT unique_platform UNIQUE (category, series_entity, short_name, long_name));
CREATE TABLE vocabularies_instrument (id serial PRIMARY KEY, category varchar(100) NOT NULL,
  instrument_class varchar(100) NOT NULL, type varchar(100) NOT NULL,
  subtype varchar(100) NOT NULL, short_name varchar(60) NOT NULL, long_name varchar(200) NOT NULL,
  CONSTRAINT unique_instrument UNIQUE (category, instrument_class, type, subtype, short_name,
                                       long_name));
CREATE TABLE vocabularies_isotopiccategory (id serial PRIMARY KEY, name varchar(100) NOT NULL,
  CONSTRAINT unique_iso_topic_category UNIQUE (name));
CREATE TABLE vocabularies_datacenter (id serial PRIMARY KEY, bucket_level0 varchar(200) NOT NULL,
  bucket_level1 varchar(200) NOT NULL, bucket_level2 varchar(200) NOT NULL,
  bucket_level3 varchar(200) NOT NULL, short_name varchar(50) NOT NULL,
  long_name varchar(250) NOT NULL, data_center_url varchar(200) NOT NULL,
  CONSTRAINT unique_data_center UNIQUE (bucket_level0, bucket_level1, bucket_level2,
                                        bucket_level3, short_name, long_name, data_center_url));
CREATE TABLE vocabularies_location (id serial PRIMARY KEY, category varchar(50) NOT NULL,
  type varchar(50) NOT NULL, subregion1 varchar(50) NOT NULL, subregion2 varchar(50) NOT NULL,
  subregion3 varchar(50) NOT NULL,
  CONSTRAINT unique_location UNIQUE (category, type, subregion1, subregion2, subregion3));
CREATE TABLE vocabularies_sciencekeyword (id serial PRIMARY KEY, category varchar(50) NOT NULL,
  topic varchar(50) NOT NULL, term varchar(80) NOT NULL, variable_level_1 varchar(80) NOT NULL,
  variable_level_2 varchar(80) NOT NULL, variable_level_3 varchar(80) NOT NULL,
  detailed_variable varchar(80) NOT NULL,
  CONSTRAINT unique_science_keyword UNIQUE (category, topic, term, variable_level_1,
                                            variable_level_2, variable_level_3, detailed_variable));
CREATE TABLE vocabularies_parameter (id serial PRIMARY KEY, standard_name varchar(300) NOT NULL,
  short_name varchar(50) NOT NULL, units varchar(20) NOT NULL,
  gcmd_science_keyword_id integer NULL REFERENCES vocabularies_sciencekeyword (id)
    DEFERRABLE INITIALLY DEFERRED,
  CONSTRAINT unique_parameter UNIQUE (standard_name, short_name, units, gcmd_science_keyword_id));
CREATE TABLE catalog_geographiclocation (id serial PRIMARY KEY,
  geometry geometry(GEOMETRY, 4326) NOT NULL,
  CONSTRAINT unique_geographic_location UNIQUE (geometry));
CREATE INDEX catalog_geographiclocation_geometry_id ON catalog_geographiclocation
  USING GIST (geometry);
CREATE TABLE catalog_source (id serial PRIMARY KEY, specs varchar(50) NOT NULL,
  platform_id integer NOT NULL REFERENCES vocabularies_platform (id) DEFERRABLE INITIALLY DEFERRED,
  instrument_id integer NOT NULL REFERENCES vocabularies_instrument (id)
    DEFERRABLE INITIALLY DEFERRED,
  CONSTRAINT unique_source UNIQUE (platform_id, instrument_id));
CREATE TABLE catalog_dataset (id serial PRIMARY KEY, entry_id text NOT NULL UNIQUE,
  entry_title varchar(220) NOT NULL, summary text NOT NULL,
  time_coverage_start timestamp with time zone NULL,
  time_coverage_end timestamp with time zone NULL, access_constraints varchar(50) NULL,
  "ISO_topic_category_id" integer NOT NULL REFERENCES vocabularies_isotopiccategory (id)
    DEFERRABLE INITIALLY DEFERRED,
  data_center_id integer NOT NULL REFERENCES vocabularies_datacenter (id)
    DEFERRABLE INITIALLY DEFERRED,
  gcmd_location_id integer NULL REFERENCES vocabularies_location (id)
    DEFERRABLE INITIALLY DEFERRED,
  geographic_location_id integer NULL REFERENCES catalog_geographiclocation (id)
    DEFERRABLE INITIALLY DEFERRED,
  source_id integer NULL REFERENCES catalog_source (id) DEFERRABLE INITIALLY DEFERRED);
CREATE TABLE catalog_dataset_parameters (id serial PRIMARY KEY,
  dataset_id integer NOT NULL REFERENCES catalog_dataset (id) DEFERRABLE INITIALLY DEFERRED,
  parameter_id integer NOT NULL REFERENCES vocabularies_parameter (id)
    DEFERRABLE INITIALLY DEFERRED,
  UNIQUE (dataset_id, parameter_id));
CREATE TABLE catalog_dataseturi (id serial PRIMARY KEY, name varchar(20) NOT NULL,
  service varchar(20) NOT NULL, uri varchar(500) NOT NULL,
  dataset_id integer NOT NULL REFERENCES catalog_dataset (id) DEFERRABLE INITIALLY DEFERRED,
  CONSTRAINT unique_dataset_uri UNIQUE (uri, dataset_id));
CREATE TABLE catalog_datasetrelationship (id serial PRIMARY KEY,
  child_id integer NOT NULL REFERENCES catalog_dataset (id) DEFERRABLE INITIALLY DEFERRED,
  parent_id integer NOT NULL REFERENCES catalog_dataset (id) DEFERRABLE INITIALLY DEFERRED);

-- A dataset as a GeoSPaaS harvester would have left it.
INSERT INTO vocabularies_platform VALUES
  (1, 'Earth Observation Satellites', '', 'Sentinel-1A', 'Sentinel-1A');
INSERT INTO vocabularies_instrument VALUES
  (1, 'Earth Remote Sensing Instruments', 'Active Remote Sensing', 'Imaging Radars', '',
   'SENTINEL-1 C-SAR', 'Sentinel-1 C-Band Synthetic Aperture Radar');
INSERT INTO vocabularies_isotopiccategory VALUES (1, 'Oceans');
INSERT INTO vocabularies_datacenter VALUES (1, 'Multinational Organizations', '', '', '',
  'ESA/EO', 'Observing the Earth, European Space Agency', 'http://www.esa.int');
INSERT INTO catalog_geographiclocation VALUES
  (1, ST_GeomFromText('POLYGON((0 60,10 60,10 70,0 70,0 60))', 4326));
INSERT INTO catalog_source VALUES (1, '', 1, 1);
INSERT INTO catalog_dataset VALUES (1, 'S1A_EW_GRDM_1SDH_20240301T070000', 'Sentinel-1A EW GRD',
  'A GeoSPaaS dataset', '2024-03-01 07:00:00+00', '2024-03-01 07:01:00+00', NULL, 1, 1, NULL,
  1, 1);
INSERT INTO catalog_dataseturi VALUES (1, 'http', 'HTTPServer',
  'https://scihub.example.org/S1A_EW_GRDM_1SDH_20240301T070000.zip', 1);
-- The rows above were inserted with explicit ids: move the sequences past them.
SELECT setval(pg_get_serial_sequence(t, 'id'), 1) FROM unnest(ARRAY[
  'vocabularies_platform', 'vocabularies_instrument', 'vocabularies_isotopiccategory',
  'vocabularies_datacenter', 'catalog_geographiclocation', 'catalog_source', 'catalog_dataset',
  'catalog_dataseturi']) AS t;
