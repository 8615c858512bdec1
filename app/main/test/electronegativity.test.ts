/**
 * @doyensec/electronegativity over the console sources (main, preload, renderer), failing on any high or medium
 * finding. The sources are copied to a temp tree first so that build output (app/main/dist, app/renderer/dist) and
 * tests never reach the scan. A finding is silenced only inline with `eng-disable` next to its justification.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../..', import.meta.url));

function scanTree(): string {
  const tree = mkdtempSync(join(tmpdir(), 'helmlink-eng-'));
  for (const part of ['main/src', 'preload/src', 'renderer/src'])
    cpSync(join(repo, 'app', part), join(tree, part), { recursive: true });
  if (existsSync(join(repo, 'app/renderer/index.html')))
    cpSync(join(repo, 'app/renderer/index.html'), join(tree, 'renderer/index.html'));
  // Positive control, scanned in the same run: an insecure window must be reported.
  writeFileSync(
    join(tree, 'control-insecure.js'),
    "const { BrowserWindow } = require('electron');\nnew BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false, sandbox: false } });\n",
  );
  return tree;
}

/** Parses electronegativity's CSV (quoted fields may contain commas). */
function parseCsv(text: string): Record<string, string>[] {
  const rows = text.trim().split('\n');
  const header = rows
    .shift()!
    .split(',')
    .map((h) => h.trim());
  return rows.map((line) => {
    const cells = [...line.matchAll(/("([^"]*)"|[^,]*)(,|$)/gu)].map((m) => (m[2] ?? m[1] ?? '').trim());
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
  });
}

describe('electronegativity', () => {
  it('finds no high or medium issue in the console', () => {
    const tree = scanTree();
    const out = join(tree, 'report.csv');
    const r = spawnSync(
      process.execPath,
      [
        join(repo, 'node_modules/@doyensec/electronegativity/dist/index.js'),
        '-i',
        tree,
        '-e',
        '41.7.1',
        '-r',
        '-o',
        out,
      ],
      {
        cwd: tree,
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect(existsSync(out), `electronegativity wrote no report: ${r.stderr}`).toBe(true);
    const findings = parseCsv(readFileSync(out, 'utf8'));
    const serious = findings.filter((f) => f.severity === 'HIGH' || f.severity === 'MEDIUM');
    const control = serious
      .filter((f) => (f.filename ?? '').includes('control-insecure.js'))
      .map((f) => f.issue);
    expect(control).toEqual(expect.arrayContaining(['CONTEXT_ISOLATION_JS_CHECK', 'SANDBOX_JS_CHECK']));
    expect(
      serious
        .filter((f) => !(f.filename ?? '').includes('control-insecure.js'))
        .map((f) => `${f.issue} ${f.filename}:${f.location} ${f.sample}`),
    ).toEqual([]);
  });
});
