import type { IncomingMessage, ServerResponse } from 'node:http';

/** A request failure answered as `{error, ...details}` with its status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Largest JSON body accepted (bigger → 413). */
export const MAX_BODY_BYTES = 1_000_000;

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** Reads and parses a JSON body: 413 when too large, 400 when not JSON. */
export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw new HttpError(413, `request body larger than ${limit} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw new HttpError(413, `request body larger than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new HttpError(400, 'request body must be JSON');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
}

/** A required non-negative integer query parameter (400 when missing or malformed). */
export function uidParam(query: URLSearchParams, name: string): number {
  const text = query.get(name);
  if (text === null || text.trim() === '') throw new HttpError(400, `query parameter ${name} is required`);
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(value)) throw new HttpError(400, `query parameter ${name} must be a non-negative integer`);
  return value;
}

/** An optional positive integer query parameter within [1, max]. */
export function boundedIntParam(query: URLSearchParams, name: string, fallback: number, max: number): number {
  if (!query.has(name) || query.get(name) === '') return fallback;
  const value = uidParam(query, name);
  if (value < 1 || value > max) throw new HttpError(400, `query parameter ${name} must be between 1 and ${max}`);
  return value;
}

/** An optional boolean query parameter: true/false/1/0. */
export function booleanParam(query: URLSearchParams, name: string, fallback: boolean): boolean {
  const text = query.get(name);
  if (text === null || text === '') return fallback;
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  throw new HttpError(400, `query parameter ${name} must be true or false`);
}

/** A required non-empty string query parameter. */
export function textParam(query: URLSearchParams, name: string): string {
  const text = query.get(name);
  if (text === null || text.trim() === '') throw new HttpError(400, `query parameter ${name} is required`);
  return text;
}
