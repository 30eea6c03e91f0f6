import { WebSocket } from 'ws';

/** A bare Engine.IO/Socket.IO v4 client over `ws`, to send frames socket.io-client would not. */
export async function rawSocketIo(url: string, token: string) {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
  let ackId = 0;
  const acks = new Map<number, (value: unknown) => void>();
  let onClose: () => void = () => undefined;
  const closeCode = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  ws.on('close', () => onClose());
  const connected = new Promise<void>((resolve, reject) => {
    ws.on('error', reject);
    ws.on('message', (data) => {
      const text = data.toString();
      if (text.startsWith('0')) ws.send(`40${JSON.stringify({ token })}`);
      else if (text.startsWith('40')) resolve();
      else if (text.startsWith('44')) reject(new Error(`refused: ${text}`));
      else if (text === '2') ws.send('3');
      else if (text.startsWith('43')) {
        const match = /^43(\d+)(.*)$/s.exec(text);
        if (match) acks.get(Number(match[1]))?.((JSON.parse(match[2]!) as unknown[])[0]);
      }
    });
  });
  await connected;
  return {
    nextAckId: () => ++ackId,
    send: (frame: string) => ws.send(frame),
    emitRaw(array: string): Promise<unknown> {
      const id = ++ackId;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no ack')), 10_000);
        acks.set(id, (value) => {
          clearTimeout(timer);
          resolve(value);
        });
        ws.send(`42${id}${array}`);
      });
    },
    closed: () =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('not closed')), 10_000);
        onClose = () => {
          clearTimeout(timer);
          resolve();
        };
      }),
    /** Resolves with the WebSocket close code (1006: dropped without a close frame). */
    closeCode: () => closeCode,
    close: () => ws.close(),
  };
}

/**
 * A Socket.IO client that stops reading: after the handshake its TCP socket is
 * paused, so everything the server sends piles up on the server's side. It
 * keeps sending requests (acks requested, never read).
 */
export async function slowConsumer(url: string, token: string) {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
  await new Promise<void>((resolve, reject) => {
    ws.on('error', reject);
    ws.on('message', (data) => {
      const text = data.toString();
      if (text.startsWith('0')) ws.send(`40${JSON.stringify({ token })}`);
      else if (text.startsWith('40')) resolve();
      else if (text.startsWith('44')) reject(new Error(`refused: ${text}`));
    });
  });
  ws.on('error', () => undefined);
  ws.pause();
  let id = 0;
  return {
    /** Sends one request frame (false once the connection is gone). */
    send(event: string, payload: unknown): boolean {
      if (ws.readyState !== WebSocket.OPEN) return false;
      ws.send(`42${++id}${JSON.stringify([event, payload])}`);
      return true;
    },
    get open(): boolean {
      return ws.readyState === WebSocket.OPEN;
    },
    close: () => ws.terminate(),
  };
}
