/**
 * The upstream fixture set (test/fixtures/psa, 4,537 pods): at level L and version v1.N every pod
 * under L/v1.N/pass is allowed and every pod under L/v1.N/fail is denied, by the check its file
 * name names (or by the restricted check that overrides that baseline check at this version).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { minorVersion, type Level } from './api.js';
import { evaluatePod } from './evaluator.js';
import { checkIds, checksFor, MAX_VERSION } from './registry.js';

const ROOT = new URL('../../test/fixtures/psa/', import.meta.url).pathname;
const LEVELS: ('baseline' | 'restricted')[] = ['baseline', 'restricted'];
const IDS = new Map(checkIds().map((id) => [id.toLowerCase(), id]));

interface Pod {
  metadata?: { name?: string };
  spec?: unknown;
}

/** Most files repeat unchanged across versions: parse each distinct text once. */
const parsed = new Map<string, Pod>();
function load(path: string): Pod {
  const text = readFileSync(path, 'utf8');
  let pod = parsed.get(text);
  if (!pod) parsed.set(text, (pod = parse(text) as Pod));
  return pod;
}

function versionsOf(level: Level): number[] {
  return readdirSync(join(ROOT, level))
    .map((d) => /^v1\.(\d+)$/.exec(d))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

describe('Pod Security Standards fixtures', () => {
  let total = 0;
  for (const level of LEVELS) {
    it(`${level}: every pass pod allowed, every fail pod denied by the named check, v1.0 to v1.${MAX_VERSION}`, () => {
      const versions = versionsOf(level);
      assert.equal(versions[0], 0);
      assert.ok(versions.at(-1)! >= MAX_VERSION, `fixtures reach v1.${versions.at(-1)}`);
      const problems: string[] = [];
      for (const minor of versions) {
        const lv = { level, version: minorVersion(minor) };
        const { overridden } = checksFor(level, lv.version);
        for (const kind of ['pass', 'fail'] as const) {
          const dir = join(ROOT, level, `v1.${minor}`, kind);
          for (const file of readdirSync(dir).sort()) {
            if (!file.endsWith('.yaml')) continue;
            total++;
            const where = `${level}/v1.${minor}/${kind}/${file}`;
            const pod = load(join(dir, file));
            assert.equal(pod.metadata?.name, file.slice(0, -'.yaml'.length), `${where}: metadata.name is the file stem`);
            const r = evaluatePod(lv, pod.metadata, pod.spec);
            if (kind === 'pass') {
              if (!r.allowed) problems.push(`${where}: denied: ${r.violations.map((v) => `${v.check}: ${v.reason} (${v.detail})`).join('; ')}`);
              continue;
            }
            const stem = file.replace(/\d*\.yaml$/, '');
            if (!/^base/.test(stem)) {
              const named = IDS.get(stem);
              if (!named) {
                problems.push(`${where}: no check id matches "${stem}"`);
                continue;
              }
              const expected = new Set([named, overridden.get(named)].filter((x): x is string => !!x));
              const failed = r.violations.map((v) => v.check);
              if (!failed.some((c) => expected.has(c))) problems.push(`${where}: expected ${[...expected].join(' or ')} to fail, got [${failed.join(', ')}]`);
              for (const v of r.violations) {
                if (!v.reason || !v.detail) problems.push(`${where}: ${v.check} gave an empty reason or detail`);
              }
            } else if (r.allowed) {
              problems.push(`${where}: allowed`);
            }
          }
        }
      }
      assert.deepEqual(problems, []);
    });
  }

  it('covered the whole set', () => {
    assert.equal(total, 4537);
  });
});
