// Regenerates config/helix.toml from the configuration schema (run after changing the schema).
import { writeFileSync } from 'node:fs';
import { defaultsFile } from '../src/core/config/load.js';
import { renderDefaultToml } from '../src/core/config/toml-text.js';

writeFileSync(defaultsFile, renderDefaultToml());
console.log(`wrote ${defaultsFile}`);
