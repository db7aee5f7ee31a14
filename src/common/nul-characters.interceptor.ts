import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import { BadRequestError } from './errors.js';
import { findNulCharacter } from './text.js';

/**
 * Refuses a NUL character (U+0000) anywhere in a request's path parameters, query or JSON body with a 400 naming
 * where it is. No text column can hold one, so without this check it would reach the database as a 500.
 */
@Injectable()
export class NulCharactersInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      const req = context.switchToHttp().getRequest<Request>();
      const places: [string, unknown][] = [
        ['path', req.params],
        ['query', req.query],
        ['request body', req.body],
      ];
      for (const [where, value] of places) {
        const field = findNulCharacter(value);
        if (field) {
          throw new BadRequestError(`The ${where} holds a NUL character (U+0000) in ${field}: remove it.`, {
            field,
            where,
          });
        }
      }
    }
    return next.handle();
  }
}
