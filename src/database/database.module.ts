import { Global, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DatabaseService } from './database.service.js';

/**
 * Provides the connected TypeORM DataSource. Repositories of other modules are
 * small injectable classes built on it.
 */
@Global()
@Module({
  providers: [
    DatabaseService,
    {
      provide: DataSource,
      inject: [DatabaseService],
      useFactory: (database: DatabaseService) => database.connect(),
    },
  ],
  exports: [DataSource, DatabaseService],
})
export class DatabaseModule {}
