import { randomUUID } from 'node:crypto';
import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { runWithContext } from './request-context.js';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Gives every HTTP request a correlation id (X-Request-Id when sane) carried by its log lines. */
@Injectable()
export class CorrelationIdMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction): void {
    const header = req.headers['x-request-id'];
    const given = Array.isArray(header) ? header[0] : header;
    const correlationId = given && SAFE_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', correlationId);
    runWithContext({ correlationId }, next);
  }
}
