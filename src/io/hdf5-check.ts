import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
/** Enough bytes for any superblock up to its end-of-file address. */
const SUPERBLOCK_BYTES = 64;

/**
 * Checks an HDF5 file's superblock before libhdf5 sees it: the signature (at 0 or a power of two
 * from 512, as the format allows), the superblock version, the sizes of offsets and lengths, and
 * that the end-of-file address fits in the file (catching truncation). Returns a description of
 * the first problem, or null. Superblock versions above 3 are left to libhdf5.
 */
export function hdf5SuperblockProblem(path: string): string | null {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    for (let base = 0; base + SIGNATURE.length <= size; base = base === 0 ? 512 : base * 2) {
      const head = Buffer.alloc(SUPERBLOCK_BYTES);
      const got = readSync(fd, head, 0, SUPERBLOCK_BYTES, base);
      if (SIGNATURE.every((b, i) => head[i] === b)) {
        return superblockProblem(head.subarray(0, got), base, size);
      }
    }
    return 'not an HDF5 file (no HDF5 signature)';
  } finally {
    closeSync(fd);
  }
}

function superblockProblem(head: Buffer, at: number, fileSize: number): string | null {
  if (head.length < 16) return `truncated HDF5 superblock (file has ${fileSize} bytes)`;
  const version = head[8];
  if (version > 3) return null;
  const offsetSize = version < 2 ? head[13] : head[9];
  const lengthSize = version < 2 ? head[14] : head[10];
  if (![2, 4, 8].includes(offsetSize) || ![2, 4, 8].includes(lengthSize)) {
    return `bad HDF5 superblock: sizes of offsets/lengths ${offsetSize}/${lengthSize}`;
  }
  // Version 0/1: base, free-space, EOF addresses after 24 (v0) or 28 (v1) bytes of fixed fields;
  // version 2/3: base, extension, EOF addresses after 12. Addresses are relative to the base,
  // which libhdf5 takes to be where it found the signature.
  const eofAt = (version === 0 ? 24 : version === 1 ? 28 : 12) + 2 * offsetSize;
  if (head.length < eofAt + offsetSize) {
    return `truncated HDF5 superblock (file has ${fileSize} bytes)`;
  }
  let eof = 0n;
  for (let i = offsetSize - 1; i >= 0; i--) eof = (eof << 8n) | BigInt(head[eofAt + i]);
  if (eof === (1n << BigInt(8 * offsetSize)) - 1n) {
    return 'bad HDF5 superblock: undefined end-of-file address';
  }
  const end = BigInt(at) + eof;
  if (end > BigInt(fileSize)) {
    return `truncated HDF5 file: the superblock says ${end} bytes, the file has ${fileSize}`;
  }
  return null;
}
