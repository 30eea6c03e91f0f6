import { Global, Module } from '@nestjs/common';
import { AuthService } from './auth.service.js';

/** Provides AuthService everywhere; needs the global ConfigModule and LoggingModule. */
@Global()
@Module({
  providers: [AuthService],
  exports: [AuthService],
})
export class AuthModule {}
