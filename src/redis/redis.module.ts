import { Module } from '@nestjs/common';
import { RedisService } from './redis.service.js';

/**
 * Module owning the Redis connection(s) (config.redis.url). Inject
 * `RedisService`; check `isEnabled` before using `client`.
 */
@Module({
  providers: [RedisService],
  exports: [RedisService],
})
export class RedisModule {}
