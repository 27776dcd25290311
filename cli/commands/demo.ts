/**
 * `npm run demo`: the main job end to end on the embedded stack. Starts it on free ports in a fresh
 * folder, uploads every example manifest through the S3 API, waits for the runs the uploads trigger,
 * prints each summary and where the reports are, ends with where each report.html is, and exits 0
 * when every run succeeded.
 */
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { EXIT } from '../../lib/errors.js';
import { reportHtmlKey } from '../../local/report-links.js';
import { startLocalStack, type LocalStack, type Platform } from '../../local/stack.js';
import { createLogger } from '../../lib/logger.js';
import { summaryMarkdown } from '../../lib/report/summary-md.js';
import type { Report } from '../../lib/report/types.js';
import type { CommandAction } from '../context.js';

const EXAMPLES = fileURLToPath(new URL('../../../manifests/examples/', import.meta.url));

const demo: CommandAction<{ dataDir?: string; platform?: Platform }> = async (_args, flags, ctx) => {
  const dataDir = flags.dataDir ? path.resolve(flags.dataDir) : await mkdtemp(path.join(os.tmpdir(), 'fdi-demo-'));
  const logger = createLogger({ level: ctx.env.LOG_LEVEL ?? 'warn', pretty: Boolean(ctx.stderr.isTTY) });
  const stack = await startLocalStack({ dataDir, logger, platform: flags.platform ?? 'aws' });
  const out = (s: string) => ctx.stdout.write(s);
  try {
    out(
      `local stack: S3 ${stack.s3Endpoint}, FDI emulator ${stack.fdiEndpoint}, bucket ${stack.bucket}, data in ${dataDir}\n`,
    );
    out(
      stack.platform === 'functiongraph'
        ? 'handler: FunctionGraph (OBS trigger events, temporary agency credentials)\n'
        : 'handler: AWS Lambda (S3 events)\n',
    );
    const files = (await readdir(EXAMPLES)).filter((f) => /\.ya?ml$/.test(f)).sort();
    for (const f of files) {
      const key = `manifests/examples/${f}`;
      await stack.s3.send(
        new PutObjectCommand({
          Bucket: stack.bucket,
          Key: key,
          Body: await readFile(path.join(EXAMPLES, f)),
          ContentType: 'application/yaml',
        }),
      );
      out(`uploaded s3://${stack.bucket}/${key}\n`);
    }
    await stack.idle();
    let ok = true;
    const pages: string[] = [];
    for (const f of files) {
      const reports = `reports/examples/${f.replace(/\.ya?ml$/, '')}`;
      const latestKey = `${reports}/latest.json`;
      const res = await stack.s3
        .send(new GetObjectCommand({ Bucket: stack.bucket, Key: latestKey }))
        .catch(() => undefined);
      if (!res?.Body) {
        ok = false;
        out(`\nno report for ${f} at s3://${stack.bucket}/${latestKey}\n`);
        continue;
      }
      const report = JSON.parse(await res.Body.transformToString()) as Report;
      ok &&= report.status === 'succeeded';
      const folder = `${reports}/${report.run_id}`;
      const html = reportHtmlKey(folder);
      out(`\n${summaryMarkdown(report)}\nreport files: s3://${stack.bucket}/${folder}/\n`);
      pages.push(`  ${report.status.padEnd(9)} s3://${stack.bucket}/${html}`);
      pages.push(`            ${await saveReportHtml(stack, html, dataDir)}`);
    }
    const stats = stack.emulator.stats();
    out(
      `\nemulator: ${stats.tasksStored} tasks stored, ${stats.requestsTotal} requests; bucket contents are under ${path.join(dataDir, 's3', stack.bucket)}\n`,
    );
    // Last, so it is what the terminal shows: each run's report.html, in the bucket and as a file.
    out(`\nreport.html of each run (in the bucket; the copy below it opens in a browser):\n${pages.join('\n')}\n`);
    return ok ? EXIT.ok : EXIT.someFailed;
  } finally {
    await stack.close();
  }
};

/**
 * Copies a report.html out of the bucket to `dataDir/<key>` and returns that path: the stack (and
 * its S3 server) stops when the demo ends, and s3rver's own file of the object is not named .html.
 */
async function saveReportHtml(stack: LocalStack, key: string, dataDir: string): Promise<string> {
  const res = await stack.s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: key })).catch(() => undefined);
  if (!res?.Body) return `(no report.html at s3://${stack.bucket}/${key})`;
  const file = path.join(dataDir, ...key.split('/'));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, await res.Body.transformToString());
  return file;
}

export default demo;
