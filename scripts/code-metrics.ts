/**
 * Size and shape of the source, for reviews (`npm run metrics`): the largest functions, files over
 * 250 lines, lines over 120 characters, conditional-spread ceremony, and which folder of lib/ imports
 * which. Reads the files only; prints plain text (or JSON with --json).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(import.meta.dirname, '..');
const SOURCE_DIRS = ['lib', 'cli', 'handlers', 'emulator', 'local'];

function sourceFiles(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  let entries: string[];
  try {
    entries = readdirSync(abs);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const rel = path.join(dir, name);
    if (statSync(path.join(ROOT, rel)).isDirectory()) return sourceFiles(rel);
    return /\.ts$/.test(name) && !name.endsWith('.d.ts') ? [rel] : [];
  });
}

interface FunctionSize {
  file: string;
  name: string;
  lines: number;
}

function functionSizes(file: string, text: string): FunctionSize[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const out: FunctionSize[] = [];
  const nameOf = (node: ts.Node): string => {
    const named = node as { name?: ts.Node };
    if (named.name && ts.isIdentifier(named.name)) return named.name.text;
    if (named.name && ts.isPrivateIdentifier(named.name)) return named.name.text;
    const parent = node.parent;
    if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
    if (parent && ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
    return '(anonymous)';
  };
  const visit = (node: ts.Node): void => {
    const isFunction =
      ts.isFunctionDeclaration(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isArrowFunction(node) ||
      ts.isFunctionExpression(node) ||
      ts.isGetAccessor(node);
    if (isFunction) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      out.push({ file, name: nameOf(node), lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** `lib/plan/decide.ts` → `plan`; top-level modules of lib/ count as `lib`. */
function libFolder(file: string): string | undefined {
  const parts = file.split(path.sep);
  if (parts[0] !== 'lib') return undefined;
  if (parts.length === 2) return '(lib)';
  if (parts[1] === 'fdi' && parts.length > 3) return `fdi/${parts[2]}`;
  return parts[1];
}

function importGraph(files: Map<string, string>): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const [file, text] of files) {
    const from = libFolder(file);
    if (!from) continue;
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const m of text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm)) {
      const spec = m[1];
      if (!spec.startsWith('.')) continue;
      const target = path.relative(ROOT, path.resolve(ROOT, path.dirname(file), spec));
      const to = libFolder(target) ?? target.split(path.sep)[0];
      if (to !== from) edges.add(to);
    }
  }
  return graph;
}

const files = new Map(SOURCE_DIRS.flatMap(sourceFiles).map((f) => [f, readFileSync(path.join(ROOT, f), 'utf8')]));
const lineCounts = [...files].map(([file, text]) => ({
  file,
  lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0),
}));
const longLines = [...files.values()].flatMap((text) => text.split('\n')).map((l) => l.length);
const functions = [...files].flatMap(([file, text]) => functionSizes(file, text)).sort((a, b) => b.lines - a.lines);
const spreads = [...files.values()].reduce(
  (n, text) => n + (text.match(/\.\.\.\([^()]*\?\s*\{[^{}]*\}\s*:\s*\{\s*\}\)/g)?.length ?? 0),
  0,
);
const graph = importGraph(files);

const result = {
  files: files.size,
  lines: lineCounts.reduce((n, f) => n + f.lines, 0),
  filesOver250: lineCounts.filter((f) => f.lines > 250).sort((a, b) => b.lines - a.lines),
  linesOver120: longLines.filter((n) => n > 120).length,
  linesOver200: longLines.filter((n) => n > 200).length,
  functionsOver60: functions.filter((f) => f.lines > 60).length,
  largestFunctions: functions.slice(0, 12),
  conditionalSpreads: spreads,
  libImports: Object.fromEntries([...graph].sort().map(([k, v]) => [k, [...v].sort()])),
};

if (process.argv.includes('--json')) {
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} else {
  const out: string[] = [
    `${result.files} files, ${result.lines} lines in ${SOURCE_DIRS.join(', ')}`,
    `lines over 120 characters: ${result.linesOver120} (over 200: ${result.linesOver200})`,
    `functions over 60 lines: ${result.functionsOver60}`,
    `conditional spreads "...(x ? {…} : {})": ${result.conditionalSpreads}`,
    `files over 250 lines: ${result.filesOver250.map((f) => `${f.file} (${f.lines})`).join(', ') || 'none'}`,
    'largest functions:',
    ...result.largestFunctions.map((f) => `  ${String(f.lines).padStart(4)}  ${f.file} ${f.name}`),
    'lib/ imports (folder → folders it imports):',
    ...Object.entries(result.libImports).map(([k, v]) => `  ${k.padEnd(12)} → ${v.join(', ') || '—'}`),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}
