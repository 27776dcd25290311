/**
 * A webhook receiver on loopback for the run-end notice's tests: it records every request (headers and
 * JSON body) and answers as its mode says — 200, always 500, or never (it holds the connection open).
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunNotice } from '../../../lib/notify/index.js';

export type ReceiverMode = 'ok' | 'fail' | 'hang';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: RunNotice;
}

export interface Receiver {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  mode: ReceiverMode;
  readonly received: Received[];
  /** Forgets what was received (between tests). */
  clear(): void;
  close(): Promise<void>;
}

export async function startReceiver(mode: ReceiverMode = 'ok'): Promise<Receiver> {
  const received: Received[] = [];
  const held = new Set<ServerResponse>();
  const state = { mode };
  const server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (text += d));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(text) as RunNotice });
      if (state.mode === 'hang') {
        held.add(res);
        return;
      }
      res.writeHead(state.mode === 'ok' ? 200 : 500, { 'content-type': 'text/plain' });
      res.end(state.mode === 'ok' ? 'ok' : 'receiver down');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    get mode() {
      return state.mode;
    },
    set mode(m: ReceiverMode) {
      state.mode = m;
    },
    received,
    clear: () => void received.splice(0),
    close: async () => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
