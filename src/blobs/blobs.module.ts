import { Global, Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { BlobStore } from './blob-store.js';

@Global()
@Module({
  providers: [
    { provide: BlobStore, inject: [getDataSourceToken()], useFactory: (db: DataSource) => new BlobStore(db) },
  ],
  exports: [BlobStore],
})
export class BlobsModule {}
