"""Footprints become valid 2D geometries, split at the antimeridian."""

from django.contrib.gis.geos import GEOSGeometry, Point

from geospaas_processing.harvesting.footprints import footprint_from_bbox, footprint_from_geojson


def geometry(wkt):
    return GEOSGeometry(wkt, srid=4326)


def within_longitudes(shape):
    west, _, east, _ = shape.extent
    return -180 <= west and east <= 180


def test_polygon_crossing_the_antimeridian_is_split_in_two():
    crossing = {
        'type': 'Polygon',
        'coordinates': [[[175, 60], [-175, 60], [-175, 65], [175, 65], [175, 60]]],
    }
    shape = geometry(footprint_from_geojson(crossing))
    assert shape.geom_type == 'MultiPolygon' and shape.valid
    assert within_longitudes(shape)
    assert abs(shape.area - 50) < 1e-9  # 10 degrees wide, not 350
    assert shape.contains(Point(179.5, 62)) and shape.contains(Point(-179.5, 62))
    assert not shape.contains(Point(0, 62))


def test_bbox_whose_west_is_east_of_its_east_crosses_the_antimeridian():
    shape = geometry(footprint_from_bbox([170, -5, -170, 5]))
    assert shape.geom_type == 'MultiPolygon' and abs(shape.area - 200) < 1e-9
    assert within_longitudes(shape)


def test_third_coordinates_are_dropped_and_self_intersections_repaired():
    bow_tie = {
        'type': 'Polygon',
        'coordinates': [[[0, 0, 5], [10, 10, 5], [10, 0, 5], [0, 10, 5], [0, 0, 5]]],
    }
    shape = geometry(footprint_from_geojson(bow_tie))
    assert shape.valid and not shape.hasz and abs(shape.area - 50) < 1e-9


def test_a_ring_around_the_pole_becomes_a_polar_cap():
    ring = [[0, 80], [90, 80], [180, 80], [-90, 80], [0, 80]]
    shape = geometry(footprint_from_geojson({'type': 'Polygon', 'coordinates': [ring]}))
    assert shape.valid and within_longitudes(shape)
    assert shape.contains(Point(45, 85)) and shape.contains(Point(-135, 85))


def test_ordinary_polygons_are_unchanged():
    square = [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]]
    wkt = footprint_from_geojson({'type': 'Polygon', 'coordinates': square})
    assert geometry(wkt).equals(geometry('POLYGON((0 0,10 0,10 10,0 10,0 0))'))
