import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChangeLogService } from './change-log.service.js';
import { ModelChangeEntity } from './model-change.entity.js';
import { ModelChangeRepository } from './model-change.repository.js';

/** The model change log (spec §8): written by the model update handlers, read by `clarity.model/history`. */
@Module({
  imports: [TypeOrmModule.forFeature([ModelChangeEntity])],
  providers: [ModelChangeRepository, ChangeLogService],
  exports: [ChangeLogService],
})
export class ChangeLogModule {}
