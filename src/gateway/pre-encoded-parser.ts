import * as parser from 'socket.io-parser';

/**
 * A JSON text that socket.io should put on the wire as it is. Answers of warm
 * requests are the same model objects again and again: serializing them once
 * and splicing the text into each packet saves the per-request JSON.stringify
 * and socket.io-parser's hasBinary walk over the whole model (the benchmark's
 * CPU profile showed both among the largest costs of a warm model/get).
 * Anything else that serializes it (a listener, another encoder) gets the
 * parsed value through toJSON, so the wire format never depends on who encodes.
 */
export class PreEncodedJson {
  constructor(readonly json: string) {}

  toJSON(): unknown {
    return JSON.parse(this.json);
  }
}

/**
 * socket.io-parser's Encoder, except that EVENT/ACK packets whose arguments
 * include PreEncodedJson values are written by splicing those texts: the
 * result is the same string the default encoder would produce for the parsed
 * values. Such answers never carry binary attachments (they are JSON text).
 */
export class PreEncodedAwareEncoder extends parser.Encoder {
  override encode(packet: parser.Packet): ReturnType<parser.Encoder['encode']> {
    const data: unknown = packet.data;
    if (
      (packet.type === parser.PacketType.ACK || packet.type === parser.PacketType.EVENT) &&
      Array.isArray(data) &&
      data.some((item) => item instanceof PreEncodedJson)
    ) {
      let text = String(packet.type);
      if (packet.nsp && packet.nsp !== '/') text += `${packet.nsp},`;
      if (packet.id !== undefined && packet.id !== null) text += String(packet.id);
      text += `[${data.map((item) => (item instanceof PreEncodedJson ? item.json : (JSON.stringify(item) ?? 'null'))).join(',')}]`;
      return [text];
    }
    return super.encode(packet);
  }
}

/** The parser module handed to the Socket.IO server: the standard one with the encoder above. */
export const preEncodedParser = { ...parser, Encoder: PreEncodedAwareEncoder };
