import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { DebugController } from './debug.controller.js';

/** `POST /debug/heapdump` (off unless DEBUG_ENDPOINTS; admin token). */
@Module({
  imports: [AuthModule],
  controllers: [DebugController],
})
export class DebugModule {}
