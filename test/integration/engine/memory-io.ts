/** A manifest reader and a report sink in memory, for the engine tests that drive runManifest directly. */
import type { Report } from '../../../lib/report/types.js';
import type { ManifestReader } from '../../../lib/storage/manifest-reader.js';
import type { ReportLocation, ReportSink } from '../../../lib/storage/report-sink.js';

/** Reads `text` as the manifest `memory://<name>.yaml`. */
export function memoryReader(name: string, text: string): ManifestReader {
  const uri = `memory://${name}.yaml`;
  return { uri, read: async () => ({ uri, size: Buffer.byteLength(text), body: Buffer.from(text) }) };
}

/** Keeps the reports written, in order, under the report folder `name`. */
export function memorySink(name: string): ReportSink & { reports: Report[] } {
  const reports: Report[] = [];
  return {
    reports,
    path: name,
    async write(report): Promise<ReportLocation> {
      reports.push(report);
      return { key: `${name}/${report.run_id}`, location: `memory://reports/${name}/${report.run_id}/` };
    },
  };
}
