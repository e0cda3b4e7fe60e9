import { stringify } from 'smol-toml';
import { type ConfigKey, configKeys } from './keys.js';

/** One TOML value as text (`"x"`, `1`, `true`, `["a"]`). */
export const tomlValue = (value: unknown): string => {
  // smol-toml only stringifies tables: wrap and unwrap.
  const line = stringify({ v: value }).trim();
  return line.slice(line.indexOf('=') + 1).trim();
};

const header = `# Helix configuration: every key with its default.
# Copy a key into $HELIX_HOME/config.toml to change it there (\`hx config set section.key value\`),
# or set HELIX_<SECTION>_<KEY> in the environment (or a .env file); command-line flags win over both.
# Relative paths resolve against HELIX_HOME (default ~/.helix).`;

/** The text of config/helix.toml, generated from the schema so the two cannot drift. */
export function renderDefaultToml(keys: readonly ConfigKey[] = configKeys): string {
  const out = [header];
  let section = '';
  for (const key of keys) {
    if (key.section !== section) {
      section = key.section;
      out.push(`\n[${section}]`);
    }
    out.push(`# ${key.description}`);
    out.push(`${key.key} = ${tomlValue(key.defaultValue)}`);
  }
  return `${out.join('\n')}\n`;
}

/**
 * Sets `section.key = value` in a TOML text by editing the one line (or adding it), so the user's
 * comments and layout survive; smol-toml cannot round-trip comments.
 */
export function setTomlKey(text: string, section: string, key: string, value: unknown): string {
  const lines = text.split('\n');
  const assignment = `${key} = ${tomlValue(value)}`;
  const headerRe = /^\s*\[([^\]]+)\]\s*(#.*)?$/;
  const keyRe = new RegExp(`^\\s*${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*=`);
  let current = '';
  let sectionEnd = -1;
  for (let i = 0; i < lines.length; i++) {
    const m = headerRe.exec(lines[i] ?? '');
    if (m) {
      if (current === section) break;
      current = m[1]!.trim();
      if (current === section) sectionEnd = i + 1;
      continue;
    }
    if (current === section) {
      if (keyRe.test(lines[i] ?? '')) {
        lines[i] = assignment;
        return lines.join('\n');
      }
      if ((lines[i] ?? '').trim() !== '') sectionEnd = i + 1;
    }
  }
  if (sectionEnd >= 0) {
    lines.splice(sectionEnd, 0, assignment);
    return lines.join('\n');
  }
  const body = text.trimEnd();
  return `${body}${body ? '\n\n' : ''}[${section}]\n${assignment}\n`;
}
