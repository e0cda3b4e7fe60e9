import type { Command } from 'commander';
import type { GlobalOptions } from '../load.js';

// placeholder: being written (helper task)
export function register(_program: Command, _globals: () => GlobalOptions) {}
