#!/usr/bin/env node
// Container health check for the Clarity image (Dockerfile HEALTHCHECK, Compose).
// GET http://127.0.0.1:${RELICA_CLARITY_API_PORT:-3001}/health with a timeout;
// exit 0 on HTTP 200, 1 otherwise. Optional: a path as first argument, and
// HEALTHCHECK_PORT (the Archivist image checks its own port 3000). This image script is the one place outside
// src/config that reads process.env: it is not part of the service.
import http from 'node:http';

const port = Number(process.env.HEALTHCHECK_PORT || process.env.RELICA_CLARITY_API_PORT || 3001);
const path = process.argv[2] || '/health';
const timeoutMs = Number(process.env.HEALTHCHECK_TIMEOUT_MS || 5000);

function fail(reason) {
  process.stderr.write(`healthcheck: ${reason}\n`);
  process.exit(1);
}

const request = http.get({ host: '127.0.0.1', port, path, timeout: timeoutMs }, (response) => {
  response.resume();
  response.on('end', () => {
    if (response.statusCode === 200) process.exit(0);
    fail(`GET ${path} answered ${response.statusCode}`);
  });
});
request.on('timeout', () => {
  request.destroy();
  fail(`GET ${path} timed out after ${timeoutMs} ms`);
});
request.on('error', (error) => fail(`GET ${path} failed: ${error.message}`));
