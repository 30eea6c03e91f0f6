import { ApiProperty } from '@nestjs/swagger';

/** OpenAPI descriptions of the /debug answers; only read when the document is built. */

export class HeapdumpResultDto {
  @ApiProperty({
    description: 'Path of the heap snapshot written on the server, in LOG_DIR',
    example: '/app/logs/clarity-1767268800000.heapsnapshot',
  })
  file!: string;
}

/** Nest's error body, e.g. {"message":"Unauthorized","statusCode":401}. */
export class HttpErrorDto {
  @ApiProperty({ example: 401 })
  statusCode!: number;

  @ApiProperty({ example: 'Unauthorized' })
  message!: string;
}
