import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freshDatabase } from '../support/fresh-db';
import { MAIN, NODE_ARGS, runCli } from '../support/server-process';

jest.setTimeout(180000);

// 40 batches of 50: the kill lands after the first, long before the last. (Was 5,000: each of the
// two runs spent ~5 s of CPU on rows whose number is not what this checks.)
const ROWS = 2000;

/** Starts `import accounts FILE` and SIGKILLs it as soon as its first batch has committed (its first progress line). */
function importKilledHalfWay(file: string, env: Record<string, string>): Promise<{ signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...NODE_ARGS, MAIN, 'import', 'accounts', file, '--batch-size', '50'], { env: { ...process.env, LOG_LEVEL: 'warn', ...env } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (/importing accounts: \d+ records/.test(stderr)) child.kill('SIGKILL');
    });
    child.on('exit', (_code, signal) => resolve({ signal, stderr }));
  });
}

describe('import of a file, killed half-way and run again', () => {
  it('when the CLI is killed after a committed batch, then the next run resumes after it and the database ends with exactly one run of rows; a third run is refused', async () => {
    const db = await freshDatabase({ seeded: true });
    try {
      // No external_id or import_id: only the checkpoint can keep a re-run from creating rows twice.
      const file = path.join(db.env.DATA_DIR, 'unkeyed.csv');
      fs.writeFileSync(file, ['name,company_id,tel', ...Array.from({ length: ROWS }, (_, i) => `Killed ${i},1,${i}`)].join('\n') + '\n');

      const killed = await importKilledHalfWay(file, db.env);
      expect(killed.signal).toBe('SIGKILL');

      const resumed = await runCli(['import', 'accounts', file, '--batch-size', '50'], db.env);
      expect(resumed.code).toBe(0);
      const after = Number(/resumed import \d+ after record (\d+)/.exec(resumed.stdout)?.[1]);
      expect(after).toBeGreaterThan(0);
      expect(after).toBeLessThan(ROWS);
      expect(after % 50).toBe(0);
      expect(resumed.stdout).toContain(`${ROWS} records: ${ROWS} created, 0 updated, 0 unchanged, 0 failed`);

      const exported = await runCli(['export', 'accounts', '--format', 'csv'], db.env);
      const names = exported.stdout.trim().split('\n').slice(1).map((l) => /Killed \d+/.exec(l)?.[0]);
      expect(names.filter(Boolean)).toHaveLength(ROWS);
      expect(new Set(names).size).toBe(ROWS);

      const third = await runCli(['import', 'accounts', file], db.env);
      expect(third.code).toBe(1);
      expect(third.stderr.trim().split('\n')).toHaveLength(1);
      expect(third.stderr).toMatch(/^error: cannot import .* again: .*--allow-duplicates/);
    } finally {
      await db.cleanup();
    }
  });
});

describe('import errors on the command line', () => {
  const oneLine = (r: { code: number | null; stderr: string }) => {
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    return r.stderr.trim();
  };

  it('when the file is missing or a directory, then one line says so, before any database is opened', async () => {
    const env = { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', DATA_DIR: '/nonexistent' };
    expect(oneLine(await runCli(['import', 'accounts', '/nonexistent/accounts.csv'], env))).toBe('error: cannot read /nonexistent/accounts.csv: no such file');
    expect(oneLine(await runCli(['import', 'accounts', __dirname, '--format', 'csv'], env))).toBe(`error: cannot read ${__dirname}: it is a directory`);
    expect(oneLine(await runCli(['import', 'accounts', 'accounts.txt'], env))).toMatch(/^error: cannot tell the format of accounts.txt/);
  });

  it('when the file is not what its format says, then one line names the file and the problem', async () => {
    const db = await freshDatabase({ seeded: true });
    try {
      const write = (name: string, text: string) => {
        const f = path.join(db.env.DATA_DIR, name);
        fs.writeFileSync(f, text);
        return f;
      };
      const notJson = write('broken.json', '[{"name": "x", ');
      expect(oneLine(await runCli(['import', 'accounts', notJson], db.env))).toMatch(/^error: cannot read .*broken\.json as JSON: /);
      const object = write('object.json', '{"name": "x"}');
      expect(oneLine(await runCli(['import', 'accounts', object], db.env))).toMatch(/as JSON: it must be an array of accounts/);
      const column = write('column.csv', 'name,company_id,colour\nx,1,red\n');
      expect(oneLine(await runCli(['import', 'accounts', column], db.env))).toMatch(/^error: cannot import .*column\.csv: column "colour" is not an account field$/);
      const quote = write('quote.csv', 'name,company_id\n"unclosed,1\n');
      expect(oneLine(await runCli(['import', 'accounts', quote], db.env))).toMatch(/^error: cannot read .*quote\.csv as CSV: /);
    } finally {
      await db.cleanup();
    }
  });
});
