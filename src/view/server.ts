/**
 * The local web server of `contraseg view`: 127.0.0.1 only, GET/HEAD of the page files
 * (site.ts), models exported on first request and kept in memory. Cross-origin isolation headers
 * let ONNX Runtime Web run several wasm threads.
 */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { InputError } from '../errors.js';
import { CONTENT_TYPES, modelIndex, modelOnnx, pageFiles, type OfferedModel } from './site.js';

export interface ViewServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

const HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
};

/** Starts the server on 127.0.0.1:`port` (0: a free port). */
export async function startViewServer(port: number, models: OfferedModel[]): Promise<ViewServer> {
  const files = await pageFiles();
  const byFile = new Map(models.map((m) => [`models/${m.id}.onnx`, m]));
  const exported = new Map<string, Promise<Uint8Array>>();
  const index = modelIndex(models);

  async function body(path: string): Promise<Uint8Array | string | null> {
    if (path === '' || path === 'index.html') path = 'index.html';
    const f = files.get(path);
    if (f) return f instanceof Uint8Array ? f : readFile(f.file);
    if (path === 'models/index.json') return index;
    const m = byFile.get(path);
    if (m) {
      let p = exported.get(m.id);
      if (!p) {
        p = modelOnnx(m);
        exported.set(m.id, p);
        p.catch(() => exported.delete(m.id));
      }
      return p;
    }
    return null;
  }

  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname).replace(
      /^\/+/,
      '',
    );
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', ...HEADERS }).end();
      return;
    }
    body(path).then(
      (data) => {
        if (data === null) {
          res.writeHead(404, { 'Content-Type': 'text/plain', ...HEADERS }).end('not found\n');
          return;
        }
        const type = CONTENT_TYPES[extname(path || 'index.html')] ?? 'application/octet-stream';
        const bytes = typeof data === 'string' ? Buffer.from(data) : data;
        res.writeHead(200, {
          'Content-Type': type,
          'Content-Length': bytes.byteLength,
          ...HEADERS,
        });
        res.end(req.method === 'HEAD' ? undefined : bytes);
      },
      (err: unknown) => {
        const message = err instanceof InputError ? err.message : String(err);
        res.writeHead(500, { 'Content-Type': 'text/plain', ...HEADERS }).end(`${message}\n`);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new InputError(`port ${port} is in use`, '--port') : err),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${actual}/`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
