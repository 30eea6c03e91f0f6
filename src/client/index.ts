/**
 * The typed client of Clarity's Socket.IO API: `import { ClarityClient } from 'clarity/client'`.
 * Free of server code (only types are read from the server's modules), so a browser bundler can take it.
 */
export {
  ClarityClient,
  MODEL_UPDATED_EVENT,
  type ClarityClientOptions,
  type ClientEvents,
  type ReconnectOptions,
  type RequestOptions,
} from './clarity-client.js';
export { ClarityConnectError, ClarityRequestError } from './errors.js';
export type {
  AnswerOf,
  ClarityCanonicalEvent,
  ClarityErrorCode,
  ClarityEvent,
  ConnectErrorCode,
  ModelUpdate,
  ParamsOf,
  ResponseEnvelope,
} from './api-types.js';
