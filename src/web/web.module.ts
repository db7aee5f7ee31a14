import { Module } from '@nestjs/common';
import { WebController } from './web.controller.js';

/** The web UI. Import it last in AppModule: its catch-all page route must come after every API route. */
@Module({ controllers: [WebController] })
export class WebModule {}
