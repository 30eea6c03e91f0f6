/**
 * Exact accounting of the connection cap. A handshake that passed authentication
 * reserves a slot synchronously; the reservation becomes an open socket on
 * `connection`, or is released if the transport closes first. Open sockets are
 * counted from connection to disconnect, so the count equals the real number of
 * open sockets after any mix of connects, refusals and abrupt disconnects.
 */
export class ConnectionSlots {
  private reserved = 0;
  private open = 0;

  constructor(private readonly max: number) {}

  /** Reserve a slot for a handshake; false when the process is at capacity. */
  tryReserve(): boolean {
    if (this.open + this.reserved >= this.max) return false;
    this.reserved += 1;
    return true;
  }

  /** A reserved handshake never became a socket (transport closed, middleware error). */
  release(): void {
    if (this.reserved > 0) this.reserved -= 1;
  }

  /** A reserved handshake became a connected socket. */
  connected(): void {
    this.release();
    this.open += 1;
  }

  disconnected(): void {
    if (this.open > 0) this.open -= 1;
  }

  get openCount(): number {
    return this.open;
  }
}
