import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file's place in src/utils (or dist/src/utils once compiled). */
const here = dirname(fileURLToPath(import.meta.url));
export const PROJECT_ROOT = resolve(here, here.includes(`${'/dist/'}`) ? '../../..' : '../..');
export const DOCKER_DIR = resolve(PROJECT_ROOT, 'docker');
export const TEMPLATES_DIR = resolve(PROJECT_ROOT, 'src/templates');
