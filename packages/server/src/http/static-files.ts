import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.webm': 'video/webm',
  '.mp4': 'video/mp4',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** A file ready to send. */
export interface StaticFile {
  readonly body: Buffer;
  readonly contentType: string;
  /** Vite puts content hashes in asset names, so those may be cached for good. */
  readonly immutable: boolean;
}

/**
 * Serves a built single-page app from a directory: known files as they are, any other path
 * without a file extension as `index.html` (client-side routes), nothing outside the root.
 */
export class StaticFiles {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** The file for a URL path, or undefined when there is none (a 404). */
  async lookup(urlPath: string): Promise<StaticFile | undefined> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return undefined;
    }
    const relative = decoded.endsWith('/') ? decoded + 'index.html' : decoded;
    const file = resolve(join(this.root, relative));
    if (file !== this.root && !file.startsWith(this.root + sep)) return undefined;
    return (await readIfFile(file)) ?? (extname(file) === '' ? await readIfFile(join(this.root, 'index.html')) : undefined);
  }
}

async function readIfFile(file: string): Promise<StaticFile | undefined> {
  try {
    if (!(await stat(file)).isFile()) return undefined;
    return {
      body: await readFile(file),
      contentType: CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      immutable: file.includes(`${sep}assets${sep}`),
    };
  } catch {
    return undefined;
  }
}
