// test support: the project's own test mail under test/fixtures/mail (written for sesdesk; no third-party mail)
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listMailFiles } from './mail-files';

/** Folder of the fixture mail, one subfolder per behaviour (bounce, charset, reply, …). */
export const FIXTURE_MAIL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/mail');

/** Every fixture message, relative to {@link FIXTURE_MAIL_DIR} (`bounce/postfix-dsn-user-unknown.eml`). */
export const FIXTURE_MAIL: readonly string[] = listMailFiles(FIXTURE_MAIL_DIR);

/** Absolute path of one fixture message. */
export function fixtureMailPath(name: string): string {
  return path.join(FIXTURE_MAIL_DIR, name);
}

/** The raw bytes of one fixture message, e.g. `fixtureMail('bounce/postfix-dsn-user-unknown.eml')`. */
export function fixtureMail(name: string): Buffer {
  return readFileSync(fixtureMailPath(name));
}

/** Fixture messages of one folder (`'bounce'`), relative to {@link FIXTURE_MAIL_DIR}. */
export function fixtureMailIn(folder: string): string[] {
  return FIXTURE_MAIL.filter((name) => name.startsWith(`${folder}/`));
}
