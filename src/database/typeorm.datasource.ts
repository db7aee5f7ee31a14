// The DataSource file of the typeorm CLI (npm run migration:generate | migration:revert | migration:show):
//   typeorm migration:revert -d dist/src/database/typeorm.datasource.js
// PostgreSQL at DATABASE_URL, or the embedded PGlite under DATA_DIR when it is unset.
import { createMigrationDataSource } from './migration-data-source.js';

export default await createMigrationDataSource();
