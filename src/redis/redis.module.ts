import { Global, Module } from '@nestjs/common';
import { RedisService } from './redis.service.js';

/**
 * Global module owning the Redis connection(s) (config.redis.url). Inject
 * `RedisService`; check `isEnabled` before using `client`.
 */
@Global()
@Module({
  providers: [RedisService],
  exports: [RedisService],
})
export class RedisModule {}
