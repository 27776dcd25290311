/**
 * A stand-in for a hostile or careless FDI in front of the emulator: a loopback proxy that forwards
 * every request and appends `markup` to the `error_msg` of every error answer. Task names are held to
 * FDI's name rule, so a server's message is how markup reaches a real report.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HostileFdi {
  url: string;
  close(): Promise<void>;
}

export async function startHostileFdi(upstream: string, markup: string): Promise<HostileFdi> {
  const target = new URL(upstream);
  const server = http.createServer((req, res) => {
    const up = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => {
          let body = Buffer.concat(chunks);
          if ((answer.statusCode ?? 0) >= 400 && /json/.test(answer.headers['content-type'] ?? '')) {
            const json = JSON.parse(body.toString('utf8')) as { error_msg?: string };
            if (typeof json.error_msg === 'string') json.error_msg += ` ${markup}`;
            body = Buffer.from(JSON.stringify(json));
          }
          const headers = { ...answer.headers, 'content-length': String(body.length) };
          delete headers['transfer-encoding'];
          res.writeHead(answer.statusCode ?? 502, headers);
          res.end(body);
        });
        answer.on('error', () => res.destroy());
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
