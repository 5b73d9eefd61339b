"""PyTorch reference values for the engine parity tests (test/torch/*.test.ts).

Usage: /usr/bin/python3 reference_ops.py DIR
DIR/manifest.json: {"cases": [{"name": str, "inputs": {var: {"file": str, "dtype": str,
"shape": [int]}}, "code": str}]}; each input is raw little-endian C-order data in DIR/file.
`code` runs with the inputs bound to their names, `torch`, `F` (torch.nn.functional) and `math`,
and assigns `out`: a tensor, a number, or a (nested) list/tuple of them.
Writes DIR/results.json: {name: {"outputs": [{"file", "dtype", "shape"}]} | {"error": str}},
each output raw in DIR/file (float16/bfloat16 outputs as float32, bool as uint8).
"""

import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)

NP = {
    'float32': np.float32,
    'float64': np.float64,
    'int64': np.int64,
    'int32': np.int32,
    'uint8': np.uint8,
    'bool': np.bool_,
}
NAMES = {
    torch.float32: 'float32',
    torch.float64: 'float64',
    torch.float16: 'float16',
    torch.bfloat16: 'bfloat16',
    torch.int64: 'int64',
    torch.int32: 'int32',
    torch.int16: 'int16',
    torch.int8: 'int8',
    torch.uint8: 'uint8',
    torch.bool: 'bool',
}


def load(d, spec):
    a = np.fromfile(os.path.join(d, spec['file']), dtype=NP[spec['dtype']])
    return torch.from_numpy(a.reshape(spec['shape']).copy())


def flatten(v, acc):
    if isinstance(v, (list, tuple)):
        for x in v:
            flatten(x, acc)
    elif isinstance(v, torch.Tensor):
        acc.append(v)
    elif isinstance(v, bool):
        acc.append(torch.tensor(v))
    elif isinstance(v, int):
        acc.append(torch.tensor(v, dtype=torch.int64))
    elif isinstance(v, float):
        acc.append(torch.tensor(v, dtype=torch.float64))
    else:
        raise TypeError('unsupported output %r' % type(v))
    return acc


def main():
    d = sys.argv[1]
    with open(os.path.join(d, 'manifest.json')) as f:
        manifest = json.load(f)
    results = {}
    k = 0
    for case in manifest['cases']:
        env = {'torch': torch, 'F': F, 'math': math, 'np': np}
        for name, spec in case['inputs'].items():
            env[name] = load(d, spec)
        try:
            exec(case['code'], env)
            outs = flatten(env['out'], [])
        except Exception as e:  # reported per case; the test shows it
            results[case['name']] = {'error': '%s: %s' % (type(e).__name__, e)}
            continue
        entries = []
        for t in outs:
            t = t.detach().contiguous()
            dtype = NAMES[t.dtype]
            raw = t
            if t.dtype in (torch.float16, torch.bfloat16):
                raw = t.float()
            elif t.dtype == torch.bool:
                raw = t.to(torch.uint8)
            file = 'out_%d.bin' % k
            k += 1
            raw.numpy().tofile(os.path.join(d, file))
            entries.append({'file': file, 'dtype': dtype, 'shape': list(t.shape)})
        results[case['name']] = {'outputs': entries}
    with open(os.path.join(d, 'results.json'), 'w') as f:
        json.dump(results, f)


if __name__ == '__main__':
    main()
