import { fileURLToPath } from 'node:url';

/**
 * Where the SQL migrations are: `migrations/` at the repository root (the image copies it
 * to the same place). Resolved here, once; everything else is given this path.
 */
export const migrationsDir = fileURLToPath(new URL('../../../migrations/', import.meta.url));
