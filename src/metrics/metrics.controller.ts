import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { MetricsService } from './metrics.service.js';

@ApiTags('metrics')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Prometheus metrics of this process (scraped per pod; not public behind nginx)' })
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description:
      'Prometheus text exposition format 0.0.4: default Node.js metrics and the clarity_* metrics ' +
      '(connections, request durations, Archivist requests, cache hits and misses)',
    schema: {
      type: 'string',
      example:
        '# HELP clarity_websocket_connections_open Socket.IO connections currently open on this process\n' +
        '# TYPE clarity_websocket_connections_open gauge\nclarity_websocket_connections_open 3\n',
    },
  })
  async metricsText(): Promise<string> {
    return this.metrics.render();
  }
}
