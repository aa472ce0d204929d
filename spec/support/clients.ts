import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const SCRIPTS = path.join(__dirname, '../clients/scripts');

/**
 * Whether a real client runtime is on this machine. Locally a missing one is reported and its tests
 * skipped; CI sets V2CRM_REQUIRE_CLIENTS=1 (after installing them), where missing means failing.
 */
export function clientAvailable(name: string, probe: string[], quiet = false): boolean {
  try {
    execFileSync(probe[0], probe.slice(1), { stdio: 'ignore' });
    return true;
  } catch {
    if (quiet) return false;
    if (process.env.V2CRM_REQUIRE_CLIENTS === '1') {
      throw new Error(`${name} is required (V2CRM_REQUIRE_CLIENTS=1) but "${probe.join(' ')}" failed`);
    }
    console.warn(`SKIPPED: ${name} is not installed here ("${probe.join(' ')}" failed); .ci/run installs it and runs these tests`);
    return false;
  }
}

/** Runs one client script with the server's URL and credentials; returns its parsed stdout. */
export async function runScript(cmd: string, script: string, env: { base: string; credentials: string }, args: string[] = []) {
  const { stdout } = await run(cmd, [path.join(SCRIPTS, script), ...args], {
    env: { ...process.env, V2CRM_BASE: env.base, V2CRM_CREDENTIALS: env.credentials },
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout);
}
