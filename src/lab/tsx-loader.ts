/**
 * The tsx loader as a `--import` argument for child Node processes the lab starts (worker
 * processes, the kernel-shaped run): resolved to a file URL from this package, so a child works
 * whatever its working directory.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

export const TSX_IMPORT: readonly string[] = ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];
