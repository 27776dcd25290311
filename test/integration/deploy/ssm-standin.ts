/**
 * A Parameter Store stand-in on loopback speaking the SSM JSON protocol (`X-Amz-Target:
 * AmazonSSM.GetParameters` / `AmazonSSM.GetParameter`), for the deployed handler's cold start.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SsmCall {
  target: string;
  body: { Names?: string[]; Name?: string; WithDecryption?: boolean };
  authorization: string | undefined;
}

export interface SsmStandIn {
  endpoint: string;
  calls: SsmCall[];
  /** Parameters by name; change freely between calls. */
  params: Map<string, string>;
  /** When set, every call answers this SSM error (e.g. AccessDeniedException). */
  refuse?: string | undefined;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startSsmStandIn(params: Record<string, string> = {}): Promise<SsmStandIn> {
  const standIn: Omit<SsmStandIn, 'endpoint' | 'close'> = { calls: [], params: new Map(Object.entries(params)) };
  const server = createServer((req, res) => {
    void readBody(req).then((raw) => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const body = JSON.parse(raw || '{}') as SsmCall['body'];
      standIn.calls.push({ target, body, authorization: req.headers.authorization });
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(payload));
      };
      if (standIn.refuse) {
        send(400, { __type: standIn.refuse, message: `User is not authorized to perform: ${target}` });
        return;
      }
      if (req.method !== 'POST') return send(400, { __type: 'InvalidAction', message: 'POST only' });
      if (target === 'AmazonSSM.GetParameters') {
        const names = body.Names ?? [];
        send(200, {
          Parameters: names
            .filter((n) => standIn.params.has(n))
            .map((n) => ({ Name: n, Type: 'SecureString', Value: standIn.params.get(n), Version: 1 })),
          InvalidParameters: names.filter((n) => !standIn.params.has(n)),
        });
      } else if (target === 'AmazonSSM.GetParameter') {
        const n = body.Name ?? '';
        if (!standIn.params.has(n)) send(400, { __type: 'ParameterNotFound', message: `Parameter ${n} not found.` });
        else send(200, { Parameter: { Name: n, Type: 'SecureString', Value: standIn.params.get(n), Version: 1 } });
      } else {
        send(400, { __type: 'InvalidAction', message: `unknown target ${target}` });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(standIn, {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
