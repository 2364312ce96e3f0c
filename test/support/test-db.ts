// A database as the server has it after start: opened and migrated (migrations are an explicit step).
import { migrate, openDatabase, type Db } from '../../src/store/database.js';

export function openMigratedDatabase(path: string): Db {
  const db = openDatabase(path);
  migrate(db);
  return db;
}
