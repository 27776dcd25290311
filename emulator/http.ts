/**
 * Small HTTP helpers of the emulator: reading a bounded body, answering JSON and error bodies.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** APIG refuses bodies over 12 MB (413 APIGW.0201). */
export const MAX_BODY_BYTES = 12 * 1024 * 1024;

export class BodyTooLargeError extends Error {}

/** Reads the whole request body as bytes; rejects with BodyTooLargeError past MAX_BODY_BYTES. */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => (tooLarge ? reject(new BodyTooLargeError()) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

/** A JSON answer with the charset FDI uses. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json;charset=UTF-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** An FDI/APIG error body: `{error_code, error_msg, request_id}`. */
export function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  const requestId = String(res.getHeader('X-Request-Id') ?? '');
  sendJson(res, status, { error_code: code, error_msg: message, request_id: requestId }, headers);
}

/** An empty answer (204 of DELETE). */
export function sendEmpty(res: ServerResponse, status: number): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status);
  res.end();
}

/** Parses JSON bytes; undefined when they are not JSON. An empty body parses as undefined too. */
export function parseJson(body: Buffer): { ok: true; value: unknown } | { ok: false } {
  if (body.length === 0) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

/** Whether a string holds a JSON object (a task_detail must: RawFormDataRequest is one). */
export function holdsJsonObject(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}
