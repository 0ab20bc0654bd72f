// bench: score classifyEmail against the sisimai corpus, per folder and engine (`npx tsx bin/bench/classify-score.ts [-v]`)
import { readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { classifyEmail } from '../../functions/core/email/classify';
import { classifyFile, loadSisimaiCases, mismatches } from '../../test/corpus/support/sisimai-cases';

const verbose = process.argv.includes('-v');
const cases = loadSisimaiCases();
const groups = new Map<string, { pass: number; total: number }>();
const failures: string[] = [];
let totalMs = 0;

for (const testCase of cases) {
  const mail = await simpleParser(readFileSync(testCase.file));
  const started = performance.now();
  classifyEmail(mail);
  totalMs += performance.now() - started;
  // Scored as ingest classifies (through parseEmail and its repairs); timed on the classifier alone.
  const actual = await classifyFile(testCase.file);
  const problems = mismatches(testCase, actual);
  const key = `${testCase.folder}/${testCase.engine}`;
  const group = groups.get(key) ?? { pass: 0, total: 0 };
  group.total += 1;
  if (problems.length === 0) group.pass += 1;
  else failures.push(`${testCase.name}: ${problems.join('; ')} (reason: ${actual.reason})`);
  groups.set(key, group);
}

let pass = 0;
for (const [key, group] of [...groups.entries()].sort()) {
  pass += group.pass;
  console.log(`${key.padEnd(20)} ${group.pass}/${group.total}`);
}
console.log(
  `${'total'.padEnd(20)} ${pass}/${cases.length}  (classify only: ${totalMs.toFixed(0)} ms, ${(totalMs / cases.length).toFixed(2)} ms/mail)`,
);
if (verbose || failures.length <= 20) for (const failure of failures) console.log(`  miss ${failure}`);
