import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { AuthService } from './auth.service.js';
import { JWT_SETTINGS, JwtSettingsModule, type JwtSettings } from './jwt-settings.js';

/**
 * Token verification for the gateway and the admin guard: `JwtModule` configured
 * from the typed config ({@link JwtSettings}). Needs the global ConfigModule and LoggingModule.
 */
@Module({
  imports: [
    JwtSettingsModule,
    JwtModule.registerAsync({
      imports: [JwtSettingsModule],
      inject: [JWT_SETTINGS],
      useFactory: (settings: JwtSettings) => settings.options,
    }),
  ],
  providers: [AuthService],
  exports: [AuthService],
})
export class AuthModule {}
