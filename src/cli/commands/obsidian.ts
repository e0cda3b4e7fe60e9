import type { GlobalOptions } from '../load.js';

// placeholder: being written (helper task)
export async function importObsidian(_globals: GlobalOptions, _dir: string, _namespace?: string): Promise<void> {
  throw new Error('not yet');
}
