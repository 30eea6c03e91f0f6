import { Injectable } from '@nestjs/common';

/**
 * Readiness facts of this process: migrations done, the Archivist answered at
 * least once, and whether the process is draining after SIGTERM.
 */
@Injectable()
export class LifecycleState {
  migrationsDone = false;
  archivistAnswered = false;
  draining = false;
}
