import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import type { HelixPaths } from '../core/config/paths.js';

const USER_CONFIG = `# Your Helix settings. Every key and its default: config/helix.toml in the Helix package.
# Change one with \`hx config set section.key value\`, or edit this file; \`hx config validate\` checks it.
`;

/** Creates the data home and its folders (idempotent); returns true when the home was new. */
export function ensureHome(paths: HelixPaths): boolean {
  const fresh = !existsSync(paths.configFile);
  for (const dir of [paths.home, paths.dataDir, paths.blobsPath, paths.logDir, paths.modelsDir]) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
  if (fresh) writeFileSync(paths.configFile, USER_CONFIG, { mode: 0o600 });
  return fresh;
}
