import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { formatMetricsCsv, writeMetricsCsv } from '../../src/eval/csv.js';

const rows = [
  {
    id: 'patient001_frame01',
    metrics: {
      unit: 'mm' as const,
      classes: [
        { label: 1, dice: 0.9, hd95: 2.25, assd: 1, predVoxels: 10, gtVoxels: 12 },
        { label: 2, dice: 0.5, hd95: 8, assd: 1 / 3, predVoxels: 4, gtVoxels: 5 },
      ],
    },
  },
  {
    id: 'odd, "name"',
    metrics: {
      unit: 'voxel' as const,
      classes: [
        { label: 1, dice: 1, hd95: 0, assd: 0, predVoxels: 7, gtVoxels: 7 },
        { label: 2, dice: 0, hd95: NaN, assd: NaN, predVoxels: 0, gtVoxels: 5 },
      ],
    },
  },
];

const expected = [
  'volume,label,dice,hd95,assd,unit,pred_voxels,gt_voxels',
  'patient001_frame01,1,0.9,2.25,1,mm,10,12',
  'patient001_frame01,2,0.5,8,0.3333333333333333,mm,4,5',
  '"odd, ""name""",1,1,0,0,voxel,7,7',
  '"odd, ""name""",2,0,NaN,NaN,voxel,0,5',
  '',
].join('\n');

describe('metrics CSV', () => {
  it('writes one row per volume and class, full precision, quoted ids, NaN spelled out', () => {
    assert.equal(formatMetricsCsv(rows), expected);
  });

  it('writes the file atomically, creating its directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'contraseg-eval-csv-'));
    try {
      const path = join(dir, 'sub', 'metrics.csv');
      writeMetricsCsv(path, rows);
      assert.equal(readFileSync(path, 'utf8'), expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
