/**
 * Fault injection: each scenario runs in a child process (a hang or a crash
 * there cannot take the test runner with it), bounded in time, and the test
 * reads its exit code, signal and output.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

/** Runs test/helpers/faults/<name>.ts with tsx; a run past `timeout` ms is killed (signal SIGTERM). */
function runScenario(name: string, args: string[] = [], timeout = 60_000) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(here, 'helpers/faults', `${name}.ts`), ...args], { encoding: 'utf8', timeout });
}

describe('worker threads under faults', () => {
  it('a ZCA fit finishes when the linalg worker starts waiting late (its first job was posted before)', () => {
    const r = runScenario('slowLinalgWorker', [], 30_000);
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('fitted');
  });
});

describe('ending the process while file flows decode', () => {
  const folder = () => {
    const dir = mkdtempSync(join(tmpdir(), 'idg-faults-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  };

  // Each run leaves two flows' prefetched batches decoding in worker threads when the process ends.
  it.each([
    ['exit', 0, null],
    ['sigint', null, 'SIGINT'],
    ['throw', 1, null],
  ] as const)('%s: the process ends as Node ends it (no native abort), every time', (mode, status, signal) => {
    for (let run = 0; run < 2; run++) {
      const r = runScenario('exitDuringFileFlow', [mode, folder()], 60_000);
      expect(r.stderr).not.toMatch(/terminate called|Napi::Error|Aborted/);
      expect([r.status, r.signal], r.stderr).toEqual([status, signal]);
      expect(r.stdout).toBe('batch 8\nbatch 48\n');
    }
  });
});

describe('errors in worker threads', () => {
  it('arrive typed, and the process still exits by itself afterwards', () => {
    const dir = mkdtempSync(join(tmpdir(), 'idg-faults-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const r = runScenario('errorsThenEnd', [dir], 30_000);
    expect([r.status, r.signal], r.stderr).toEqual([0, null]);
    expect(r.stdout).toBe('file flow: CorruptFileError\narray flow: InvalidArgumentError\n');
  });
});
