// `make migrate-up` / `make migrate-down`: applies or reverts migrations on DATABASE_URL.
import postgres from 'postgres';
import { migrateDown, migrateUp, readMigrations } from './migrate.ts';
import { migrationsDir } from './migrations-dir.ts';

const direction = process.argv[2];
const url = process.env.DATABASE_URL;
if ((direction !== 'up' && direction !== 'down') || !url) {
  process.stderr.write('usage: DATABASE_URL=postgres://… node migrate-cli.ts up|down\n');
  process.exit(2);
}
const dir = process.env.MIGRATIONS_DIR ?? migrationsDir;
const sql = postgres(url, { max: 1, onnotice: () => {} });
try {
  const migrations = await readMigrations(dir);
  if (direction === 'up') {
    const applied = await migrateUp(sql, migrations);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'up to date\n');
  } else {
    const reverted = await migrateDown(sql, migrations);
    process.stdout.write(
      reverted === undefined ? 'nothing to revert\n' : `reverted: ${reverted}\n`,
    );
  }
} finally {
  await sql.end({ timeout: 5 });
}
