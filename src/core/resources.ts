// Where the hotel's shipped files live: resources/ (system instructions, pictures, menus).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEFAULT_RESOURCES_DIR = join(PROJECT_ROOT, 'resources');
