"""Reference segmentation metrics for test/metrics/metrics-parity.test.ts.

dc, hd95 and assd below are medpy.metric.binary's (medpy 0.4/0.5, medpy/metric/binary.py)
restated with the same scipy.ndimage calls, since medpy itself is not installed.

Usage: /usr/bin/python3 reference_metrics.py MANIFEST.json > RESULTS.json
Manifest: {"cases": [{"pred": path, "gt": path, "shape": [D, H, W], "spacing": [sD, sH, sW] | null,
"numClasses": C}]}, pred and gt raw uint8 label maps in C order.
Results: {"cases": [[{"label": c, "dc": x, "hd95": x | null, "assd": x | null}, ...], ...]},
one entry per class c = 1..C-1; null where medpy raises RuntimeError (an empty mask).
"""

import json
import sys

import numpy
from scipy.ndimage import binary_erosion, distance_transform_edt, generate_binary_structure


def dc(result, reference):
    result = numpy.atleast_1d(result.astype(numpy.bool_))
    reference = numpy.atleast_1d(reference.astype(numpy.bool_))
    intersection = numpy.count_nonzero(result & reference)
    size_i1 = numpy.count_nonzero(result)
    size_i2 = numpy.count_nonzero(reference)
    try:
        return 2.0 * intersection / float(size_i1 + size_i2)
    except ZeroDivisionError:
        return 0.0


def surface_distances(result, reference, voxelspacing=None, connectivity=1):
    result = numpy.atleast_1d(result.astype(numpy.bool_))
    reference = numpy.atleast_1d(reference.astype(numpy.bool_))
    if voxelspacing is not None:
        voxelspacing = numpy.asarray(voxelspacing, dtype=numpy.float64)
    footprint = generate_binary_structure(result.ndim, connectivity)
    if 0 == numpy.count_nonzero(result):
        raise RuntimeError('The first supplied array does not contain any binary object.')
    if 0 == numpy.count_nonzero(reference):
        raise RuntimeError('The second supplied array does not contain any binary object.')
    result_border = result ^ binary_erosion(result, structure=footprint, iterations=1)
    reference_border = reference ^ binary_erosion(reference, structure=footprint, iterations=1)
    dt = distance_transform_edt(~reference_border, sampling=voxelspacing)
    return dt[result_border]


def hd95(result, reference, voxelspacing=None, connectivity=1):
    hd1 = surface_distances(result, reference, voxelspacing, connectivity)
    hd2 = surface_distances(reference, result, voxelspacing, connectivity)
    return numpy.percentile(numpy.hstack((hd1, hd2)), 95)


def asd(result, reference, voxelspacing=None, connectivity=1):
    return surface_distances(result, reference, voxelspacing, connectivity).mean()


def assd(result, reference, voxelspacing=None, connectivity=1):
    return numpy.mean(
        (
            asd(result, reference, voxelspacing, connectivity),
            asd(reference, result, voxelspacing, connectivity),
        )
    )


def or_none(metric, *args):
    try:
        return float(metric(*args))
    except RuntimeError:
        return None


def main():
    with open(sys.argv[1]) as f:
        manifest = json.load(f)
    out = []
    for case in manifest['cases']:
        shape = tuple(case['shape'])
        pred = numpy.fromfile(case['pred'], dtype=numpy.uint8).reshape(shape)
        gt = numpy.fromfile(case['gt'], dtype=numpy.uint8).reshape(shape)
        spacing = case['spacing']
        rows = []
        for c in range(1, case['numClasses']):
            p, g = pred == c, gt == c
            rows.append(
                {
                    'label': c,
                    'dc': dc(p, g),
                    'hd95': or_none(hd95, p, g, spacing),
                    'assd': or_none(assd, p, g, spacing),
                }
            )
        out.append(rows)
    json.dump({'cases': out}, sys.stdout)


if __name__ == '__main__':
    main()
