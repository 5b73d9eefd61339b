"""A hand-written safetensors reader and writer (json + struct + numpy; the `safetensors` package
is not installed) for test/nn/safetensors.test.ts.

Usage: /usr/bin/python3 read_safetensors.py (read FILE | write FILE)...
Prints one JSON document: {"results": [...]}, one entry per command:
  read:  {"header_length", "metadata": {..} | null, "order": [names by offset],
          "tensors": {name: {"dtype", "shape", "data_offsets", "values": [str]}}}
  write: the same description of the file it wrote.
Values are strings: repr() of floats ('nan', 'inf', '-inf' included), str() of integers, 0/1 for BOOL.
A read also checks the format independently and exits 1 with a message on any violation.
"""

import json
import struct
import sys

import numpy as np

NP = {
    'F64': '<f8',
    'F32': '<f4',
    'F16': '<f2',
    'I64': '<i8',
    'I32': '<i4',
    'I16': '<i2',
    'I8': 'i1',
    'U8': 'u1',
    'BOOL': 'u1',
    'BF16': '<u2',
}
SIZE = {'F64': 8, 'F32': 4, 'F16': 2, 'BF16': 2, 'I64': 8, 'I32': 4, 'I16': 2, 'I8': 1, 'U8': 1, 'BOOL': 1}


def fail(msg):
    sys.stderr.write('read_safetensors.py: %s\n' % msg)
    sys.exit(1)


def values_of(dtype, raw):
    a = np.frombuffer(raw, dtype=NP[dtype])
    if dtype == 'BF16':
        f = (a.astype(np.uint32) << 16).view(np.float32)
        return [repr(float(x)) for x in f]
    if dtype in ('F64', 'F32', 'F16'):
        return [repr(float(x)) for x in a]
    return [str(int(x)) for x in a]


def read(path):
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) < 8:
        fail('%s: too short' % path)
    (n,) = struct.unpack('<Q', data[:8])
    if 8 + n > len(data):
        fail('%s: header length beyond the file' % path)
    header = json.loads(data[8 : 8 + n].decode('utf-8'))
    body = data[8 + n :]
    meta = header.pop('__metadata__', None)
    if meta is not None and not all(isinstance(k, str) and isinstance(v, str) for k, v in meta.items()):
        fail('metadata is not a map of strings')
    out = {}
    spans = []
    for name, info in header.items():
        dtype, shape, (b, e) = info['dtype'], info['shape'], info['data_offsets']
        if dtype not in SIZE:
            fail('unknown dtype %s' % dtype)
        numel = 1
        for d in shape:
            numel *= d
        if e - b != numel * SIZE[dtype]:
            fail('%s: size mismatch' % name)
        spans.append((b, e, name))
        out[name] = {'dtype': dtype, 'shape': shape, 'data_offsets': [b, e], 'values': values_of(dtype, body[b:e])}
    spans.sort()
    pos = 0
    for b, e, name in spans:
        if b != pos:
            fail('%s: offsets do not tile the data (at %d, expected %d)' % (name, b, pos))
        pos = e
    if pos != len(body):
        fail('trailing bytes: tensors cover %d of %d' % (pos, len(body)))
    return {'header_length': n, 'metadata': meta, 'order': [s[2] for s in spans], 'tensors': out}


def write(path):
    """A file with every dtype, written in an order that is neither sorted nor the header's."""
    bf16 = np.array([1.5, -2.25, 3.140625, 0.0], dtype=np.float32).view(np.uint32) >> 16
    tensors = [
        ('zeta.f32', 'F32', [2, 3], np.array([[1.5, -2, 3.25], [0, 1e-3, float('inf')]], dtype='<f4')),
        ('alpha.i64', 'I64', [3], np.array([2**53 + 1, -(2**62), 7], dtype='<i8')),
        ('mid.f64', 'F64', [2, 2], np.array([[np.pi, -0.5], [1e-300, float('nan')]], dtype='<f8')),
        ('half', 'F16', [4], np.array([1, -2.5, 0.1, 65504], dtype='<f2')),
        ('brain', 'BF16', [2, 2], bf16.astype('<u2').reshape(2, 2)),
        ('i32', 'I32', [2], np.array([-(2**31), 2**31 - 1], dtype='<i4')),
        ('i16', 'I16', [3], np.array([-32768, 5, 32767], dtype='<i2')),
        ('i8', 'I8', [2], np.array([-128, 127], dtype='i1')),
        ('u8', 'U8', [1, 3], np.array([[0, 200, 255]], dtype='u1')),
        ('mask', 'BOOL', [5], np.array([1, 0, 0, 1, 1], dtype='u1')),
        ('scalar', 'F32', [], np.array(42.5, dtype='<f4')),
        ('empty', 'F32', [0, 4], np.zeros((0, 4), dtype='<f4')),
    ]
    # Data in this order; the header lists them in reverse.
    header = {}
    chunks = []
    off = 0
    for name, dtype, shape, arr in tensors:
        raw = arr.tobytes()
        header[name] = {'dtype': dtype, 'shape': shape, 'data_offsets': [off, off + len(raw)]}
        chunks.append(raw)
        off += len(raw)
    ordered = {'__metadata__': {'format': 'pt', 'note': 'written by hand'}}
    for name in reversed(list(header)):
        ordered[name] = header[name]
    js = json.dumps(ordered).encode('utf-8')
    js += b' ' * ((8 - len(js) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(js)))
        f.write(js)
        for c in chunks:
            f.write(c)
    return read(path)


def main():
    args = sys.argv[1:]
    results = []
    for cmd, path in zip(args[0::2], args[1::2]):
        if cmd == 'read':
            results.append(read(path))
        elif cmd == 'write':
            results.append(write(path))
        else:
            fail('unknown command %s' % cmd)
    print(json.dumps({'results': results}))


if __name__ == '__main__':
    main()
